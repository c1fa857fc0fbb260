{#- HR quantities per unit and month over the unit's whole subtree, each fact rolled up through
    the tree as it stood on the fact's date: headcount-days and FTE-days (for average headcount
    and FTE-years), own-illness days, of which in long-term spells, and competence hours. Windows
    of months (a scorecard's 12 months, a single month) are sums of these rows. -#}
with

staffing as (
    select * from {{ ref('int_staffing_by_unit_month') }}
),

sick_days as (
    select * from {{ ref('int_sick_days_by_unit_month') }}
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
        0 as sick_days,
        0 as long_term_sick_days,
        0 as competence_hours
    from staffing
    union all
    select
        org_unit_code,
        month_start,
        epoch_start,
        0 as headcount_days,
        0 as fte_days,
        sick_days,
        long_term_sick_days,
        0 as competence_hours
    from sick_days
    union all
    select
        org_unit_code,
        month_start,
        epoch_start,
        0 as headcount_days,
        0 as fte_days,
        0 as sick_days,
        0 as long_term_sick_days,
        competence_hours
    from competence_hours
),

rolled_up as (
    select
        closure.ancestor_code as org_unit_code,
        unit_months.month_start,
        sum(unit_months.headcount_days) as headcount_days,
        sum(unit_months.fte_days) as fte_days,
        sum(unit_months.sick_days) as sick_days,
        sum(unit_months.long_term_sick_days) as long_term_sick_days,
        sum(unit_months.competence_hours) as competence_hours
    from unit_months
    inner join closure
        on
            unit_months.org_unit_code = closure.org_unit_code
            and unit_months.epoch_start = closure.epoch_start
    group by closure.ancestor_code, unit_months.month_start
),

final as (
    select
        org_unit_code,
        month_start,
        (month_start + interval '1 month' - interval '1 day')::date as month_end,
        headcount_days,
        fte_days,
        sick_days,
        long_term_sick_days,
        competence_hours
    from rolled_up
)

select * from final
