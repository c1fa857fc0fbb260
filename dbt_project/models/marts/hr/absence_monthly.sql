{#- Own-illness absence per unit and calendar month over the unit's whole subtree (warehouse.md).
    Sickness is health data: a unit whose average headcount in the month is below k, or whose
    figure would let a suppressed unit be recovered by differencing (rules 2 and 3 on the tree at
    month end), shows NULL sickness figures and suppressed = true. The headcount, FTE-years and
    the suppression come from int_absence_month_suppression, which a night bringing only absence
    keeps; the own-illness days are added here. -#}
with

suppression as (
    select * from {{ ref('int_absence_month_suppression') }}
),

subtree_months as (
    select * from {{ ref('int_hr_subtree_months') }}
),

figures as (
    select
        suppression.org_unit_code,
        suppression.month_start,
        suppression.month_end,
        suppression.avg_headcount,
        suppression.fte_years,
        suppression.suppressed,
        coalesce(subtree_months.sick_days, 0) as sick_days
    from suppression
    left join subtree_months
        on
            suppression.org_unit_code = subtree_months.org_unit_code
            and suppression.month_start = subtree_months.month_start
),

final as (
    select
        org_unit_code,
        month_start,
        month_end,
        case when not suppressed then sick_days end as sick_days,
        fte_years,
        case
            when not suppressed
                then sick_days / nullif(fte_years, 0)
        end as sick_days_per_fte,
        avg_headcount,
        suppressed
    from figures
)

select * from final
