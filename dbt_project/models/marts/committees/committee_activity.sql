{#- Committee activity per unit, committee type and calendar month, over the unit's subtree as
    the tree stood on each meeting's date, like every figure of the scorecard. -#}
with

meetings as (
    select * from {{ ref('int_committee_meetings') }}
    where org_unit_code is not null
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

monthly as (
    select
        closure.ancestor_code as org_unit_code,
        meetings.committee_type,
        date_trunc('month', meetings.meeting_date)::date as month_start,
        count(*) as meetings,
        sum(meetings.n_present) as present,
        sum(meetings.n_absent) as absent,
        sum(meetings.n_items) as agenda_items,
        sum(meetings.n_culture_items) as culture_topic_items
    from meetings
    inner join closure
        on
            meetings.org_unit_code = closure.org_unit_code
            and meetings.meeting_date >= closure.epoch_start
            and meetings.meeting_date < closure.epoch_end
    group by closure.ancestor_code, meetings.committee_type, date_trunc('month', meetings.meeting_date)
),

final as (
    select
        org_unit_code,
        committee_type,
        month_start,
        meetings,
        present,
        absent,
        100.0 * present / nullif(present + absent, 0) as attendance_pct,
        agenda_items,
        culture_topic_items
    from monthly
)

select * from final
