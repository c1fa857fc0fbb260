with

followups as (
    select * from {{ source('raw_minutes', 'minutes_followups') }}
),

meetings as (
    select * from {{ ref('stg_minutes__meetings') }}
),

visible as (
    select
        meetings.meeting_id,
        followups.item_number,
        followups.followup_number,
        followups.action_id,
        followups.status
    from followups
    inner join meetings on followups._load_id = meetings.meeting_id
),

final as (
    select * from visible
)

select * from final
