{#- An employee's attributes (unit, fte, job) take effect on each snapshot's extract date; the
    first snapshot that contains the employee applies back to the start of time (so back to the
    hire date). A row missing from a later snapshot changes nothing (contracts/hr.md). -#}
with

snapshots as (
    select * from {{ ref('stg_hr__employees') }}
),

versions as (
    select
        employee_id,
        extract_date,
        org_unit_code,
        fte,
        birth_year,
        gender,
        job_family,
        employment_type,
        is_manager,
        case
            when row_number() over (partition by employee_id order by extract_date) = 1
                then {{ start_of_time() }}
            else extract_date
        end as valid_from,
        coalesce(
            lead(extract_date) over (partition by employee_id order by extract_date),
            {{ end_of_time() }}
        ) as valid_to
    from snapshots
),

final as (
    select * from versions
)

select * from final
