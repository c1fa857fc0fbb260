{#- Goal attainment per unit and period end: the goals of the period end's year set for the unit
    or any unit below it (the tree as it stood at period end), ja = 1, delvist = 0.5, nej = 0,
    summed over the assessed goals. A goal whose `achieved` is none of those is not assessed. -#}
with

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

goals as (
    select * from {{ ref('stg_results__goals') }}
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

scored as (
    select
        goal_id,
        org_unit_code,
        goal_year,
        case achieved
            when 'ja' then 1.0
            when 'delvist' then 0.5
            when 'nej' then 0.0
        end as attainment
    from goals
),

rolled_up as (
    select
        closure.ancestor_code as org_unit_code,
        periods.period_end,
        count(*) as n_goals,
        count(scored.attainment) as n_goals_assessed,
        sum(scored.attainment) as attainment
    from scored
    inner join periods
        on scored.goal_year = extract(year from periods.period_end)
    inner join closure
        on
            scored.org_unit_code = closure.org_unit_code
            and periods.period_end >= closure.epoch_start
            and periods.period_end < closure.epoch_end
    group by closure.ancestor_code, periods.period_end
),

final as (
    select
        org_unit_code,
        period_end,
        n_goals,
        n_goals_assessed,
        100 * attainment / nullif(n_goals_assessed, 0) as goal_attainment_pct
    from rolled_up
)

select * from final
