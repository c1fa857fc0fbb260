{#- Headcount at each scorecard period end over each unit's whole subtree: employees with
    hire_date <= d <= termination date (the last day of employment), counted in the unit they
    belonged to on d and in all its ancestors as the tree stood on d. An employee's intervals
    never overlap, so counting per unit first and summing up the tree counts each person once. -#}
{#- Rebuilt only on a night its inputs or the scorecard's periods changed
    (macros/incremental_inputs.sql). -#}
{{ incremental_inputs_config(['hr/employees', 'hr/org_units'], periods=true) }}

with

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

intervals as (
    select * from {{ ref('int_employee_intervals') }}
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

employed_at_end as (
    select
        periods.period_end,
        intervals.org_unit_code,
        count(*) as n_employees
    from periods
    inner join intervals
        on periods.period_end between intervals.valid_from and intervals.valid_to
    group by periods.period_end, intervals.org_unit_code
),

rolled_up as (
    select
        employed_at_end.period_end,
        closure.ancestor_code as org_unit_code,
        sum(employed_at_end.n_employees)::bigint as n_employees
    from employed_at_end
    inner join closure
        on
            employed_at_end.org_unit_code = closure.org_unit_code
            and employed_at_end.period_end >= closure.epoch_start
            and employed_at_end.period_end < closure.epoch_end
    group by employed_at_end.period_end, closure.ancestor_code
),

final as (
    select * from rolled_up
)

select * from final
{{ only_if_inputs_changed() }}
