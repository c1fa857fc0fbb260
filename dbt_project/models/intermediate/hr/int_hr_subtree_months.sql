{#- HR quantities per unit and month over the unit's whole subtree, each fact rolled up through
    the tree as it stood on the fact's date: headcount-days and FTE-days (for average headcount
    and FTE-years), own-illness days, of which in long-term spells, and competence hours. Windows
    of months (a scorecard's 12 months, a single month) are sums of these rows. The staffing and
    competence sums come from int_hr_subtree_months_without_absence, which a night bringing only
    absence keeps; the own-illness days are rolled up here every night. -#}
with

without_absence as (
    select * from {{ ref('int_hr_subtree_months_without_absence') }}
),

sick_days as (
    select * from {{ ref('int_sick_days_by_unit_month') }}
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

sick_rolled_up as (
    select
        closure.ancestor_code as org_unit_code,
        sick_days.month_start,
        sum(sick_days.sick_days) as sick_days,
        sum(sick_days.long_term_sick_days) as long_term_sick_days
    from sick_days
    inner join closure
        on
            sick_days.org_unit_code = closure.org_unit_code
            and sick_days.epoch_start = closure.epoch_start
    group by closure.ancestor_code, sick_days.month_start
),

combined as (
    {#- A month with no row on one side counts zero there, as a sum over no facts does. -#}
    select
        coalesce(without_absence.org_unit_code, sick_rolled_up.org_unit_code) as org_unit_code,
        coalesce(without_absence.month_start, sick_rolled_up.month_start) as month_start,
        coalesce(without_absence.headcount_days, 0) as headcount_days,
        coalesce(without_absence.fte_days, 0) as fte_days,
        coalesce(sick_rolled_up.sick_days, 0) as sick_days,
        coalesce(sick_rolled_up.long_term_sick_days, 0) as long_term_sick_days,
        coalesce(without_absence.competence_hours, 0) as competence_hours
    from without_absence
    full outer join sick_rolled_up
        on
            without_absence.org_unit_code = sick_rolled_up.org_unit_code
            and without_absence.month_start = sick_rolled_up.month_start
),

final as (
    select
        org_unit_code,
        month_start,
        (month_start + interval '1 month' - interval '1 day')::date as month_end,
        headcount_days,
        fte_days,
        sick_days,
        long_term_sick_days,
        competence_hours
    from combined
)

select * from final
