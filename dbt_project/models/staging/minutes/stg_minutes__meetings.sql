{#- Meetings whose document is loaded (not rejected or superseded). Minutes carry no extract
    date, the date is inside the document, so the as-of date applies to the meeting date:
    rebuilding an earlier night ignores meetings held after it. -#}
with

meetings as (
    select * from {{ source('raw_minutes', 'minutes_meetings') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

visible as (
    select
        meetings._load_id as meeting_id,
        meetings.committee_type,
        meetings.org_unit_code,
        meetings.org_unit_name,
        meetings.meeting_date,
        meetings.n_present,
        meetings.n_absent
    from meetings
    inner join loaded_files on meetings._load_id = loaded_files.load_id
    where meetings.meeting_date <= {{ as_of_date() }}
),

final as (
    select * from visible
)

select * from final
