{#- An employee's attributes (unit, fte, job) take effect on the extract date of the snapshot
    that first shows them; the first snapshot that contains the employee applies back to the
    start of time (so back to the hire date). A row missing from a later snapshot changes
    nothing (contracts/hr.md). Snapshots repeating the previous attributes are folded into one
    version, so later models grow with the number of changes, not with employees × snapshots. -#}
{#- Rebuilt only on a night its inputs changed (macros/incremental_inputs.sql). -#}
{{ incremental_inputs_config(['hr/employees']) }}
with

snapshots as (
    select * from {{ ref('stg_hr__employees') }}
),

described as (
    select
        *,
        row(org_unit_code, fte, birth_year, gender, job_family, employment_type, is_manager)::text
            as attributes
    from snapshots
),

flagged as (
    {#- Both window functions share one window, so the snapshots (the largest input of HR
        history) are sorted and scanned once. -#}
    select
        *,
        row_number() over employee_snapshots as snapshot_number,
        lag(attributes) over employee_snapshots as previous_attributes
    from described
    window employee_snapshots as (partition by employee_id order by extract_date)
),

changes as (
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
        case when snapshot_number = 1 then {{ start_of_time() }} else extract_date end as valid_from
    from flagged
    where previous_attributes is distinct from attributes
),

versions as (
    select
        *,
        coalesce(
            lead(valid_from) over (partition by employee_id order by valid_from),
            {{ end_of_time() }}
        ) as valid_to
    from changes
),

final as (
    select * from versions
)

select * from final
{{ only_if_inputs_changed() }}
