{#- Headcount-days, FTE-days and competence hours per unit and month over the unit's whole
    subtree, each fact rolled up through the tree as it stood on the fact's date: the part of
    int_hr_subtree_months that reads no absence. A night that brings only absence keeps it. -#}
{#- Rebuilt only on a night its inputs or the scorecard's periods changed
    (macros/incremental_inputs.sql). -#}
{{ incremental_inputs_config(
    ['hr/employees', 'hr/org_units', 'hr/competence', 'hr/mobility', 'hr/performance'],
    periods=true
) }}

with

staffing as (
    select * from {{ ref('int_staffing_by_unit_month') }}
),

events as (
    select * from {{ ref('int_employee_events') }}
),

segments as (
    select * from {{ ref('int_hr_month_segments') }}
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

competence_hours as (
    select
        events.org_unit_code,
        segments.month_start,
        segments.epoch_start,
        sum(events.hours) as competence_hours
    from events
    inner join segments
        on
            events.epoch_start = segments.epoch_start
            and events.event_date between segments.segment_start and segments.segment_end
    where events.event_type = 'competence'
    group by events.org_unit_code, segments.month_start, segments.epoch_start
),

unit_months as (
    select
        org_unit_code,
        month_start,
        epoch_start,
        headcount_days,
        fte_days,
        0 as competence_hours
    from staffing
    union all
    select
        org_unit_code,
        month_start,
        epoch_start,
        0 as headcount_days,
        0 as fte_days,
        competence_hours
    from competence_hours
),

rolled_up as (
    select
        closure.ancestor_code as org_unit_code,
        unit_months.month_start,
        sum(unit_months.headcount_days) as headcount_days,
        sum(unit_months.fte_days) as fte_days,
        sum(unit_months.competence_hours) as competence_hours
    from unit_months
    inner join closure
        on
            unit_months.org_unit_code = closure.org_unit_code
            and unit_months.epoch_start = closure.epoch_start
    group by closure.ancestor_code, unit_months.month_start
),

final as (
    select * from rolled_up
)

select * from final
{{ only_if_inputs_changed() }}
