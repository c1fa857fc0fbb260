{#- Mobility events: a re-delivered mobility_id corrects the earlier one, so only the latest
    delivery of each id (by extract date, then file and line) is kept. -#}
with

mobility as (
    select * from {{ source('raw_hr', 'hr_mobility') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

latest_delivery as (
    select distinct on (mobility.mobility_id)
        mobility.mobility_id,
        loaded_files.extract_date,
        mobility.employee_number as employee_id,
        lower(mobility.mobility_type) as mobility_type,
        mobility.from_org_unit_code,
        mobility.to_org_unit_code,
        mobility.from_institution_code,
        mobility.to_institution_code,
        mobility.start_date,
        mobility.end_date
    from mobility
    inner join loaded_files on mobility._load_id = loaded_files.load_id
    order by
        mobility.mobility_id asc,
        loaded_files.extract_date desc,
        mobility._load_id desc,
        mobility._line desc
),

final as (
    select * from latest_delivery
)

select * from final
