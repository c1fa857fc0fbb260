{#- The scorecard's rows: every unit that existed at a period's end, with its place in the tree. -#}
with

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

units_at_end as (
    select
        paths.org_unit_code,
        paths.org_unit_name,
        paths.parent_code,
        paths.institution_code,
        paths.org_level,
        paths.org_path,
        periods.period_start,
        periods.period_end,
        periods.window_12m_start
    from periods
    inner join paths
        on
            periods.period_end >= paths.epoch_start
            and periods.period_end < paths.epoch_end
),

final as (
    select * from units_at_end
)

select * from final
