{#- The HR indicators of the scorecard per unit and period end, over the unit's whole subtree:
    absence (suppressed by rules 2 and 3 on the 12-month average headcount), turnover,
    development dialogues, competence hours, mobility and PULS. Every fact counts in the unit its
    employee had on the fact's date, rolled up through the tree as it stood on that date. All
    but the two absence figures come from int_scorecard_hr_without_absence, which a night
    bringing only absence keeps; the own-illness days of each 12-month window are summed here. -#}
with

without_absence as (
    select * from {{ ref('int_scorecard_hr_without_absence') }}
),

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

subtree_months as (
    select * from {{ ref('int_hr_subtree_months') }}
),

sick_windows as (
    select
        without_absence.org_unit_code,
        without_absence.period_end,
        coalesce(sum(subtree_months.sick_days), 0) as sick_days_12m,
        coalesce(sum(subtree_months.long_term_sick_days), 0) as long_term_sick_days_12m
    from without_absence
    inner join periods on without_absence.period_end = periods.period_end
    left join subtree_months
        on
            without_absence.org_unit_code = subtree_months.org_unit_code
            and subtree_months.month_start between periods.window_12m_start and periods.period_end
    group by without_absence.org_unit_code, without_absence.period_end
),

final as (
    select
        without_absence.org_unit_code,
        without_absence.period_end,
        without_absence.avg_headcount_12m,
        without_absence.fte_years_12m,
        without_absence.absence_suppressed,
        case
            when not without_absence.absence_suppressed
                then sick_windows.sick_days_12m / nullif(without_absence.fte_years_12m, 0)
        end as sick_days_per_fte_12m,
        case
            when not without_absence.absence_suppressed
                then 100 * sick_windows.long_term_sick_days_12m / nullif(sick_windows.sick_days_12m, 0)
        end as long_term_sick_share_12m,
        without_absence.turnover_pct_12m,
        without_absence.voluntary_turnover_pct_12m,
        without_absence.mus_completion_pct,
        without_absence.competence_hours_per_fte_12m,
        without_absence.internal_mobility_pct_12m,
        without_absence.puls_meets_pct
    from without_absence
    inner join sick_windows
        on
            without_absence.org_unit_code = sick_windows.org_unit_code
            and without_absence.period_end = sick_windows.period_end
)

select * from final
