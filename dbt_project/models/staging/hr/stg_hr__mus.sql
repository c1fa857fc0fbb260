{#- Development dialogues are events: a re-delivered dialogue_id corrects the earlier one, so
    only the latest delivery of each id (by extract date, then file and line) is kept. -#}
with

mus as (
    select * from {{ source('raw_hr', 'hr_mus') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

latest_delivery as (
    select distinct on (mus.dialogue_id)
        mus.dialogue_id,
        loaded_files.extract_date,
        mus.employee_number as employee_id,
        upper(mus.dialogue_type) as dialogue_type,
        mus.held_on
    from mus
    inner join loaded_files on mus._load_id = loaded_files.load_id
    order by mus.dialogue_id asc, loaded_files.extract_date desc, mus._load_id desc, mus._line desc
),

final as (
    select * from latest_delivery
)

select * from final
