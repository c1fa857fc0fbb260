{#- The heart of HR history: intervals [valid_from, valid_to] (both inclusive) in which an
    employee was employed with one unit and fte. Cost grows with the number of changes, never
    with employees × days. Indexed on employee_id because every employee fact (absence spell,
    event) finds its unit by joining here on employee_id and date. -#}
{{ config(
    post_hook="create index if not exists {{ this.name }}_employee on {{ this }} (employee_id, valid_from)"
) }}

with

spells as (
    select * from {{ ref('int_employment_spells') }}
),

versions as (
    select * from {{ ref('int_employee_versions') }}
),

intervals as (
    select
        spells.employee_id,
        spells.hire_date,
        spells.termination_date,
        spells.termination_reason,
        versions.org_unit_code,
        versions.fte,
        versions.birth_year,
        versions.gender,
        versions.job_family,
        versions.employment_type,
        versions.is_manager,
        greatest(spells.hire_date, versions.valid_from) as valid_from,
        least(spells.last_day, versions.valid_to - 1) as valid_to
    from spells
    inner join versions
        on
            spells.employee_id = versions.employee_id
            and spells.last_day >= versions.valid_from
            and spells.hire_date < versions.valid_to
),

final as (
    select * from intervals
    where valid_from <= valid_to
)

select * from final
