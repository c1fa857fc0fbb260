{#- Actions agreed in visible meetings; their text stays in raw, no indicator reads it. -#}
with

actions as (
    select * from {{ source('raw_minutes', 'minutes_actions') }}
),

meetings as (
    select * from {{ ref('stg_minutes__meetings') }}
),

visible as (
    select
        meetings.meeting_id,
        actions.item_number,
        actions.action_number,
        actions.action_id,
        actions.owner_role,
        actions.due_date
    from actions
    inner join meetings on actions._load_id = meetings.meeting_id
),

final as (
    select * from visible
)

select * from final
