with

org_units as (
    select * from {{ source('raw_hr', 'hr_org_units') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

snapshot_rows as (
    select
        loaded_files.extract_date,
        org_units._load_id as load_id,
        org_units.org_unit_code,
        org_units.name as org_unit_name,
        nullif(org_units.parent_code, org_units.org_unit_code) as parent_code,
        org_units.institution_code,
        lower(org_units.unit_type) as unit_type,
        org_units.manager_employee_number as manager_employee_id
    from org_units
    inner join loaded_files on org_units._load_id = loaded_files.load_id
),

final as (
    select * from snapshot_rows
)

select * from final
