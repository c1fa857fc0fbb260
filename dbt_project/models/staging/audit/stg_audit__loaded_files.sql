{#- Files whose rows count tonight: loaded (not superseded, rejected or half-loaded) and
    delivered on or before the as-of date, so rebuilding an earlier night ignores later files. -#}
with

ledger as (
    select * from {{ source('audit', 'load_ledger') }}
),

visible as (
    select
        load_id,
        source,
        entity,
        file_name,
        path,
        logical_key,
        extract_date,
        loaded_at
    from ledger
    where
        status = 'loaded'
        and (extract_date is null or extract_date <= {{ as_of_date() }})
),

final as (
    select * from visible
)

select * from final
