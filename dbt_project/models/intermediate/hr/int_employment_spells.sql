{#- Employment spells: one per distinct hire date of an employee (a rehire starts a new spell).
    A spell ends on the termination date the latest snapshot reports for that hire date, and at
    the latest the day before the next spell's hire date (a corrected hire date cannot double count). -#}
with

snapshots as (
    select * from {{ ref('stg_hr__employees') }}
),

latest_per_hire as (
    select distinct on (employee_id, hire_date)
        employee_id,
        hire_date,
        termination_date,
        termination_reason
    from snapshots
    order by employee_id asc, hire_date asc, extract_date desc
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
    from latest_per_hire
),

final as (
    select * from spells
    where last_day >= hire_date
)

select * from final
