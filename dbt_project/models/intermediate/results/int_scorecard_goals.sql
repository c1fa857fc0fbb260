{#- Goal attainment per unit and period end: the goals of the period end's year set for the unit
    or any unit below it, ja = 1, delvist = 0.5, nej = 0, summed over the assessed goals. A goal
    whose `achieved` is none of those is not assessed. A goal is a fact of its year, so it rolls
    up through the tree of its year: the last tree of that year that holds the goal's unit (the
    tree at 31 December, or where the unit last stood if it closed during the year), the same in
    every quarter. -#}
with

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

goals as (
    select * from {{ ref('stg_results__goals') }}
),

paths as (
    select * from {{ ref('int_org_unit_paths') }}
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

goal_epochs as (
    {#- The latest tree epoch overlapping the goal's year in which its unit exists. While the
        year runs, the latest tree delivered stands in for the one at 31 December. -#}
    select
        scored.goal_id,
        max(paths.epoch_start) as epoch_start
    from scored
    inner join paths
        on
            scored.org_unit_code = paths.org_unit_code
            and paths.epoch_start <= make_date(scored.goal_year, 12, 31)
            and paths.epoch_end > make_date(scored.goal_year, 1, 1)
    group by scored.goal_id
),

rolled_up as (
    select
        closure.ancestor_code as org_unit_code,
        periods.period_end,
        count(*) as n_goals,
        count(scored.attainment) as n_goals_assessed,
        sum(scored.attainment) as attainment
    from scored
    inner join goal_epochs on scored.goal_id = goal_epochs.goal_id
    inner join periods
        on scored.goal_year = extract(year from periods.period_end)
    inner join closure
        on
            scored.org_unit_code = closure.org_unit_code
            and goal_epochs.epoch_start = closure.epoch_start
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
