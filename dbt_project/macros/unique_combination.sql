{#- Generic test: no two rows share the same values in `columns` (like dbt_utils'
    unique_combination_of_columns, kept local so the project builds without a package download).

    The rows are first compared by a 64-bit hash of their combination, which sorts as one
    integer; only the combinations whose hash occurs twice are then grouped by their values, so a
    clash of hashes is never reported as a duplicate. When no hash repeats, the second scan stops
    at its first row. Measured at 190,000 employees on int_mtu_respondent_dimensions (3.6 M rows,
    three text columns): 6.7-6.9 s grouping by the values, 2.8 s this way. -#}
{% test unique_combination(model, columns) %}
{%- set combination = columns | join(", ") %}
    with

    hashed as materialized (
        select hash_record_extended(row({{ combination }}), 0) as combination_hash
        from {{ model }}
    ),

    ordered as (
        select
            combination_hash,
            lag(combination_hash) over (order by combination_hash) as previous_hash
        from hashed
    ),

    repeated as (
        select combination_hash
        from ordered
        where combination_hash = previous_hash
    )

    select
        {{ combination }},
        count(*) as n_rows
    from {{ model }}
    where hash_record_extended(row({{ combination }}), 0) in (select repeated.combination_hash from repeated)
    group by {{ combination }}
    having count(*) > 1
{% endtest %}
