{#- The load whose rows make each round's file type. Normally the latest loaded delivery of the
    survey and type: a corrected re-delivery supersedes the earlier file in the ledger. A round
    may reuse an earlier round's catalogue or invitations unchanged; the ledger records such a
    file as a duplicate (the same bytes are loaded once) and the round reads the rows of that
    first load. A duplicate of the round's own earlier file changes nothing. -#}
with

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

ledger as (
    select * from {{ source('audit', 'load_ledger') }}
),

loaded as (
    select
        load_id as delivery_load_id,
        load_id,
        entity as file_type,
        logical_key,
        file_name,
        loaded_at
    from loaded_files
    where source = 'mtu'
),

first_loads as (
    select distinct on (sha256)
        sha256,
        load_id,
        logical_key
    from ledger
    where source = 'mtu' and status in ('loaded', 'superseded')
    order by sha256 asc, load_id asc
),

reused as (
    select
        duplicate.load_id as delivery_load_id,
        first_loads.load_id,
        duplicate.entity as file_type,
        duplicate.logical_key,
        duplicate.file_name,
        duplicate.loaded_at
    from ledger as duplicate
    inner join first_loads on duplicate.sha256 = first_loads.sha256
    where
        duplicate.source = 'mtu'
        and duplicate.status = 'duplicate'
        and duplicate.entity in ('questions', 'invitations')
        and duplicate.logical_key <> first_loads.logical_key
),

deliveries as (
    select * from loaded
    union all
    select * from reused
),

keyed as (
    select
        *,
        split_part(logical_key, '/', 2) as survey_id
    from deliveries
),

latest as (
    select distinct on (survey_id, file_type)
        survey_id,
        file_type,
        delivery_load_id,
        load_id,
        file_name,
        loaded_at
    from keyed
    order by survey_id asc, file_type asc, delivery_load_id desc
),

final as (
    select * from latest
)

select * from final
