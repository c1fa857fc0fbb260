{#- Per unit and calendar month over the unit's whole subtree: average headcount, FTE-years and
    whether the month's absence figures are suppressed (rules 2 and 3 on the tree at month end,
    on the average headcount). None of it reads absence, so a night that brings only absence
    keeps it; absence_monthly adds the own-illness days. -#}
{#- Rebuilt only on a night its inputs or the scorecard's periods changed
    (macros/incremental_inputs.sql). -#}
{{ incremental_inputs_config(
    ['hr/employees', 'hr/org_units', 'hr/competence', 'hr/mobility', 'hr/performance'],
    periods=true
) }}

with

subtree_months as (
    select * from {{ ref('int_hr_subtree_months_without_absence') }}
),

segments as (
    select * from {{ ref('int_hr_month_segments') }}
),

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

months as (
    select distinct
        month_start,
        month_end
    from segments
),

units_at_month_end as (
    select
        paths.org_unit_code,
        {{ parent_at_date('paths') }} as parent_code,
        months.month_start,
        months.month_end
    from months
    inner join paths
        on
            months.month_end >= paths.epoch_start
            and months.month_end < paths.epoch_end
),

figures as (
    select
        units_at_month_end.org_unit_code,
        units_at_month_end.parent_code,
        units_at_month_end.month_start,
        units_at_month_end.month_end,
        coalesce(subtree_months.headcount_days, 0)::numeric
        / (units_at_month_end.month_end - units_at_month_end.month_start + 1) as avg_headcount,
        coalesce(subtree_months.fte_days, 0) / 365.25 as fte_years
    from units_at_month_end
    left join subtree_months
        on
            units_at_month_end.org_unit_code = subtree_months.org_unit_code
            and units_at_month_end.month_start = subtree_months.month_start
),

absence_groups as (
    select
        {{ suppression_groups(
            partition_key="'absence_month|' || to_char(month_start, 'YYYY-MM')",
            group_key='org_unit_code',
            parent_key='parent_code',
            sort_key='org_unit_code',
            size='avg_headcount'
        ) }} as groups
    from figures
),

absence_suppression as (
    select
        suppression.partition_key,
        suppression.group_key,
        suppression.suppressed
    from absence_groups
    cross join
        lateral culture_fn.suppress_small_groups_array(
            absence_groups.groups, {{ var('min_group_size') }}
        ) as suppression
),

final as (
    select
        figures.org_unit_code,
        figures.month_start,
        figures.month_end,
        figures.avg_headcount,
        figures.fte_years,
        absence_suppression.suppressed
    from figures
    inner join absence_suppression
        on
            absence_suppression.partition_key = 'absence_month|' || to_char(figures.month_start, 'YYYY-MM')
            and figures.org_unit_code = absence_suppression.group_key
)

select * from final
{{ only_if_inputs_changed() }}
