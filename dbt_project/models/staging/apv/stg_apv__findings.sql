{#- One row per finding per loaded APV snapshot, with status and severity spelled one way.
    The free text (description, action) stops here: it is written by people and may name them,
    and no indicator or mart needs it. -#}
with

findings as (
    select * from {{ source('raw_apv', 'apv_findings') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

snapshot_rows as (
    select
        loaded_files.extract_date as snapshot_date,
        findings._load_id as load_id,
        findings.finding_id,
        findings.apv_round,
        findings.org_unit_code,
        findings.identified_on,
        findings.due_date,
        findings.closed_on,
        lower(translate(findings.category, 'ÆØÅ', 'æøå')) as category,
        lower(translate(findings.responsible_role, 'ÆØÅ', 'æøå')) as responsible_role,
        {#- Lower case without spaces, as sources/apv/contract.py compares them; lower() alone leaves
            Æ, Ø and Å alone in a database with the C locale. -#}
        lower(translate(findings.status, 'ÆØÅ ', 'æøå')) as status_spelling,
        lower(translate(findings.severity, 'ÆØÅ ', 'æøå')) as severity_spelling
    from findings
    inner join loaded_files on findings._load_id = loaded_files.load_id
),

normalised as (
    select
        snapshot_date,
        load_id,
        finding_id,
        apv_round,
        org_unit_code,
        category,
        responsible_role,
        identified_on,
        due_date,
        closed_on,
        case status_spelling
            when 'åben' then 'åben'
            when 'igang' then 'i gang'
            when 'lukket' then 'lukket'
            when 'afsluttet' then 'lukket'
        end as status,
        case
            when severity_spelling in ('lav', '1') then 'lav'
            when severity_spelling in ('middel', '2') then 'middel'
            when severity_spelling in ('høj', '3') then 'høj'
        end as severity
    from snapshot_rows
),

final as (
    select
        *,
        status = 'lukket' as is_closed,
        case severity when 'lav' then 1 when 'middel' then 2 when 'høj' then 3 end as severity_level
    from normalised
)

select * from final
