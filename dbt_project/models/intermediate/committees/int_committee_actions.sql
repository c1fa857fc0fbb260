{#- Every action agreed in a placed meeting, with the date it was closed: the first LATER meeting
    of the same committee (type and unit), held after the day of the action's meeting, that
    reports an `afsluttet` follow-up of its id (contracts: "an `Opfølgning` line in a later
    meeting ... closes"); an `afsluttet` written in the meeting that agreed the action does not
    close it. An action without an id cannot be followed up and never closes. -#}
with

meetings as (
    select * from {{ ref('int_committee_meetings') }}
    where org_unit_code is not null
),

actions as (
    select * from {{ ref('stg_minutes__actions') }}
),

followups as (
    select * from {{ ref('stg_minutes__followups') }}
),

agreed as (
    select
        actions.meeting_id,
        actions.item_number,
        actions.action_number,
        meetings.committee_type,
        meetings.org_unit_code,
        meetings.meeting_date as agreed_on,
        actions.action_id,
        actions.owner_role,
        actions.due_date
    from actions
    inner join meetings on actions.meeting_id = meetings.meeting_id
),

completions as (
    select
        meetings.committee_type,
        meetings.org_unit_code,
        meetings.meeting_date,
        followups.action_id
    from followups
    inner join meetings on followups.meeting_id = meetings.meeting_id
    where followups.status = 'afsluttet'
),

closed as (
    select
        agreed.meeting_id,
        agreed.item_number,
        agreed.action_number,
        min(completions.meeting_date) as closed_on
    from agreed
    inner join completions
        on
            agreed.committee_type = completions.committee_type
            and agreed.org_unit_code = completions.org_unit_code
            and agreed.action_id = completions.action_id
            and agreed.agreed_on < completions.meeting_date
    group by agreed.meeting_id, agreed.item_number, agreed.action_number
),

final as (
    select
        agreed.*,
        closed.closed_on
    from agreed
    left join closed
        on
            agreed.meeting_id = closed.meeting_id
            and agreed.item_number = closed.item_number
            and agreed.action_number = closed.action_number
)

select * from final
