{#- Employment spells: one per hire date of an employee (a rehire starts a new spell). A spell
    ends on the termination date the latest snapshot reports for that hire date, and at the
    latest the day before the next spell's hire date. A hire date replaced by an earlier one in
    a later snapshot was a typo, not a spell: a real previous spell never starts after the
    current one, so it is dropped instead of reopening employment the correction ended. -#}
{#- Rebuilt only on a night its inputs changed (macros/incremental_inputs.sql). -#}
{{ incremental_inputs_config(['hr/employees']) }}
with

snapshots as (
    select * from {{ ref('stg_hr__employees') }}
),

per_hire_date as (
    {#- The latest snapshot's termination for each hire date, and the first and last snapshot
        that showed it, from one sort of the snapshots. -#}
    select
        employee_id,
        hire_date,
        termination_date,
        termination_reason,
        first_extract_date,
        last_extract_date
    from (
        select
            employee_id,
            hire_date,
            termination_date,
            termination_reason,
            extract_date as last_extract_date,
            min(extract_date) over whole_hire_date as first_extract_date,
            row_number() over latest_first as recency
        from snapshots
        window
            latest_first as (partition by employee_id, hire_date order by extract_date desc),
            whole_hire_date as (
                latest_first rows between unbounded preceding and unbounded following
            )
    ) as ranked
    where recency = 1
),

corrected_away as (
    select
        replaced.employee_id,
        replaced.hire_date
    from per_hire_date as replaced
    inner join per_hire_date as correction
        on
            replaced.employee_id = correction.employee_id
            and replaced.hire_date > correction.hire_date
            and replaced.last_extract_date < correction.first_extract_date
    group by replaced.employee_id, replaced.hire_date
),

kept as (
    select per_hire_date.*
    from per_hire_date
    left join corrected_away
        on
            per_hire_date.employee_id = corrected_away.employee_id
            and per_hire_date.hire_date = corrected_away.hire_date
    where corrected_away.employee_id is null
),

spells as (
    select
        employee_id,
        hire_date,
        termination_reason,
        termination_date,
        least(
            coalesce(termination_date, {{ end_of_time() }}),
            coalesce(
                lead(hire_date) over (partition by employee_id order by hire_date) - 1,
                {{ end_of_time() }}
            )
        ) as last_day
    from kept
),

final as (
    select * from spells
    where last_day >= hire_date
)

select * from final
{{ only_if_inputs_changed() }}
