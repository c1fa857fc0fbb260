{#- Dated employee events, each attributed to the unit its employee belonged to on the event's
    date and to the tree epoch of that date (indicators.md, "whose facts"): terminations (on the
    termination date, the last day of employment), completed competence activities, mobility
    events (on their start date) and PULS reviews (on reviewed_on, or 31 December of the review
    period when it is blank). An event on a day the employee was not employed has no unit and is
    left out. Indexed on (org_unit_code, epoch_start), the key every rollup joins the closure on. -#}
{#- Rebuilt only on a night its inputs changed (macros/incremental_inputs.sql). -#}
{{ incremental_inputs_config(
    ['hr/employees', 'hr/org_units', 'hr/competence', 'hr/mobility', 'hr/performance']
) }}
{{ config(
    post_hook="create index if not exists {{ this.name }}_unit on {{ this }} (org_unit_code, epoch_start)"
) }}

with

intervals as (
    select * from {{ ref('int_employee_intervals') }}
),

competence as (
    select * from {{ ref('stg_hr__competence') }}
),

mobility as (
    select * from {{ ref('stg_hr__mobility') }}
),

performance as (
    select * from {{ ref('stg_hr__performance') }}
),

epochs as (
    select * from {{ ref('int_org_tree_epochs') }}
),

terminations as (
    {#- A spell's last interval ends on its termination date; a spell cut short by a rehire
        before its reported termination date did not end in a termination. -#}
    select
        'termination' as event_type,
        employee_id || '@' || hire_date as event_id,
        employee_id,
        termination_date as event_date,
        org_unit_code,
        termination_reason = 'egen opsigelse' as is_voluntary,
        null::numeric as hours,
        null::integer as review_period,
        null::integer as rating
    from intervals
    where valid_to = termination_date
),

dated_events as (
    select
        'competence' as event_type,
        activity_id as event_id,
        employee_id,
        completed_on as event_date,
        hours,
        null::integer as review_period,
        null::integer as rating
    from competence
    union all
    select
        'mobility' as event_type,
        mobility_id as event_id,
        employee_id,
        start_date as event_date,
        null::numeric as hours,
        null::integer as review_period,
        null::integer as rating
    from mobility
    union all
    select
        'review' as event_type,
        review_id as event_id,
        employee_id,
        coalesce(reviewed_on, make_date(review_period, 12, 31)) as event_date,
        null::numeric as hours,
        review_period,
        rating
    from performance
),

attributed as (
    select
        dated_events.event_type,
        dated_events.event_id,
        dated_events.employee_id,
        dated_events.event_date,
        intervals.org_unit_code,
        null::boolean as is_voluntary,
        dated_events.hours,
        dated_events.review_period,
        dated_events.rating
    from dated_events
    inner join intervals
        on
            dated_events.employee_id = intervals.employee_id
            and dated_events.event_date between intervals.valid_from and intervals.valid_to
    union all
    select * from terminations
),

final as (
    select
        attributed.*,
        epochs.epoch_start
    from attributed
    inner join epochs
        on
            attributed.event_date >= epochs.epoch_start
            and attributed.event_date < epochs.epoch_end
)

select * from final
{{ only_if_inputs_changed() }}
