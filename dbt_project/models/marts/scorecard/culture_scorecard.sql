{#- One row per org unit and calendar quarter. Every figure covers the unit's whole subtree.
    Each indicator is computed once in an intermediate model and only joined here. -#}
with

units as (
    select * from {{ ref('int_scorecard_units') }}
),

headcount as (
    select * from {{ ref('int_headcount_by_period') }}
),

scorecard as (
    select
        units.org_unit_code,
        units.org_unit_name,
        units.parent_code,
        units.institution_code,
        units.org_level,
        units.org_path,
        units.period_start,
        units.period_end,
        coalesce(headcount.n_employees, 0) as n_employees
    from units
    left join headcount
        on
            units.org_unit_code = headcount.org_unit_code
            and units.period_end = headcount.period_end
),

final as (
    select * from scorecard
)

select * from final
