{#- How fresh each source's data was on the night the marts were built: what a BI analyst checks
    before trusting a figure. Depends on no raw data, so it publishes even when a source failed. -#}
with

freshness as (
    select * from {{ ref('stg_audit__source_freshness') }}
),

final as (
    select
        landing_source,
        source_table,
        as_of as night_as_of,
        data_as_of,
        age_days as days_old,
        status as freshness_status,
        warn_after_days,
        error_after_days
    from freshness
)

select * from final
