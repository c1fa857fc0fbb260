{#- Cooperation indicators per unit and period end (indicators.md, "Cooperation"), over the
    unit's subtree: meetings roll up as the tree stood on the meeting date, actions open at the
    period end as it stood then. Meetings whose unit could not be placed are left out. -#}
with

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

units as (
    select * from {{ ref('int_scorecard_units') }}
),

meetings as (
    select * from {{ ref('int_committee_meetings') }}
    where org_unit_code is not null
),

actions as (
    select * from {{ ref('int_committee_actions') }}
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

meetings_in_subtree as (
    select
        closure.ancestor_code as org_unit_code,
        meetings.meeting_id,
        meetings.committee_type,
        meetings.meeting_date,
        meetings.n_present,
        meetings.n_absent,
        meetings.n_items,
        meetings.n_culture_items,
        meetings.n_mtu_items
    from meetings
    inner join closure
        on
            meetings.org_unit_code = closure.org_unit_code
            and meetings.meeting_date >= closure.epoch_start
            and meetings.meeting_date < closure.epoch_end
),

meetings_12m as (
    select
        meetings_in_subtree.org_unit_code,
        periods.period_end,
        count(*) as n_meetings,
        count(*) filter (where meetings_in_subtree.committee_type = 'SU') as n_su_meetings,
        count(*) filter (where meetings_in_subtree.committee_type = 'MED') as n_med_meetings,
        count(*) filter (where meetings_in_subtree.committee_type = 'AMU') as n_amu_meetings,
        sum(meetings_in_subtree.n_present) as n_present,
        sum(meetings_in_subtree.n_absent) as n_absent,
        sum(meetings_in_subtree.n_items) as n_items,
        sum(meetings_in_subtree.n_culture_items) as n_culture_items
    from periods
    inner join meetings_in_subtree
        on meetings_in_subtree.meeting_date between periods.window_12m_start and periods.period_end
    group by meetings_in_subtree.org_unit_code, periods.period_end
),

open_actions as (
    select
        closure.ancestor_code as org_unit_code,
        periods.period_end,
        count(*) as n_open,
        count(*) filter (where actions.due_date < periods.period_end) as n_overdue
    from periods
    inner join actions
        on
            periods.period_end >= actions.agreed_on
            and (actions.closed_on is null or periods.period_end < actions.closed_on)
    inner join closure
        on
            actions.org_unit_code = closure.org_unit_code
            and periods.period_end >= closure.epoch_start
            and periods.period_end < closure.epoch_end
    group by closure.ancestor_code, periods.period_end
),

unit_rounds as (
    {#- The same round as the scorecard's mtu_survey_id. -#}
    select * from {{ ref('int_scorecard_unit_rounds') }}
),

followed_up as (
    select distinct
        unit_rounds.org_unit_code,
        unit_rounds.period_end
    from unit_rounds
    inner join meetings_in_subtree
        on
            unit_rounds.org_unit_code = meetings_in_subtree.org_unit_code
            and meetings_in_subtree.meeting_date between unit_rounds.round_end_date
            and least(unit_rounds.round_end_date + 120, unit_rounds.period_end)
    where
        meetings_in_subtree.committee_type in ('SU', 'MED')
        and meetings_in_subtree.n_mtu_items > 0
),

final as (
    select
        units.org_unit_code,
        units.period_end,
        coalesce(meetings_12m.n_meetings, 0) as committee_meetings_12m,
        coalesce(meetings_12m.n_su_meetings, 0) as committee_meetings_su_12m,
        coalesce(meetings_12m.n_med_meetings, 0) as committee_meetings_med_12m,
        coalesce(meetings_12m.n_amu_meetings, 0) as committee_meetings_amu_12m,
        100.0 * meetings_12m.n_present
        / nullif(meetings_12m.n_present + meetings_12m.n_absent, 0) as committee_attendance_pct_12m,
        100.0 * meetings_12m.n_culture_items / nullif(meetings_12m.n_items, 0) as culture_agenda_share_12m,
        coalesce(open_actions.n_open, 0) as open_committee_actions,
        coalesce(open_actions.n_overdue, 0) as overdue_committee_actions,
        followed_up.org_unit_code is not null as mtu_followed_up
    from units
    left join meetings_12m
        on
            units.org_unit_code = meetings_12m.org_unit_code
            and units.period_end = meetings_12m.period_end
    left join open_actions
        on
            units.org_unit_code = open_actions.org_unit_code
            and units.period_end = open_actions.period_end
    left join followed_up
        on
            units.org_unit_code = followed_up.org_unit_code
            and units.period_end = followed_up.period_end
)

select * from final
