with

employees as (
    select * from {{ source('raw_hr', 'hr_employees') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

snapshot_rows as (
    select
        loaded_files.extract_date,
        employees._load_id as load_id,
        employees.employee_number as employee_id,
        employees.org_unit_code,
        employees.hire_date,
        employees.termination_date,
        lower(employees.termination_reason) as termination_reason,
        employees.fte,
        employees.birth_year,
        upper(employees.gender) as gender,
        employees.job_family,
        employees.employment_type,
        employees.is_manager
    from employees
    inner join loaded_files on employees._load_id = loaded_files.load_id
),

final as (
    select * from snapshot_rows
)

select * from final
