{#- Agenda items of visible meetings; the title stays in raw, only the topics are needed. -#}
with

items as (
    select * from {{ source('raw_minutes', 'minutes_items') }}
),

meetings as (
    select * from {{ ref('stg_minutes__meetings') }}
),

visible as (
    select
        meetings.meeting_id,
        items.item_number,
        items.topics
    from items
    inner join meetings on items._load_id = meetings.meeting_id
),

final as (
    select * from visible
)

select * from final
