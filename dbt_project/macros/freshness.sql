{#- Source freshness is measured against the night being built, not the wall clock, so a replayed
    or backfilled night judges its sources exactly as it did (or would have) on that night.
    dbt compares `max_loaded_at` with `snapshotted_at`; both are midnight UTC of their dates, so
    the age is a whole number of days. The sources' `loaded_at_query` returns the data date of the
    files visible on the night (see `data_date_of_files`). -#}
{% macro postgres__collect_freshness_custom_sql(source, loaded_at_query) %}
    {% call statement('collect_freshness_custom_sql', fetch_result=True, auto_begin=False) -%}
        with source_query as (
            {{ loaded_at_query }}
        )

        select
            (select * from source_query) as max_loaded_at,
            cast({{ as_of_date() }} as timestamp) at time zone 'UTC' as snapshotted_at
    {%- endcall %}
    {{ return(load_result('collect_freshness_custom_sql')) }}
{% endmacro %}
