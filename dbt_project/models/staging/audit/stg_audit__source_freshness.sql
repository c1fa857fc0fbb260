{#- The freshness checked for this night: the pipeline passes its run id; a hand-run build
    without one takes the latest check of each source table for the as-of date. -#}
with

checks as (
    select * from {{ source('audit', 'source_freshness') }}
),

this_night as (
    select
        *,
        row_number() over (
            partition by source, source_table order by checked_at desc
        ) as recency
    from checks
    where
        {% if var('run_id', '') -%}
            run_id = {{ sql_string(var("run_id")) }}
        {%- else -%}
            as_of = {{ as_of_date() }}
        {%- endif %}
),

final as (
    select
        run_id,
        as_of,
        replace(source, 'raw_', '') as landing_source,
        source_table,
        data_as_of,
        age_days,
        status,
        warn_after_days,
        error_after_days
    from this_night
    where recency = 1
)

select * from final
