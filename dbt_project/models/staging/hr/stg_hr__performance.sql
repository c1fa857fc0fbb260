{#- PULS reviews are events: a re-delivered review_id corrects the earlier one, so only the
    latest delivery of each id (by extract date, then file and line) is kept. -#}
with

performance as (
    select * from {{ source('raw_hr', 'hr_performance') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

latest_delivery as (
    select distinct on (performance.review_id)
        performance.review_id,
        loaded_files.extract_date,
        performance.employee_number as employee_id,
        performance.period as review_period,
        performance.rating,
        performance.reviewed_on
    from performance
    inner join loaded_files on performance._load_id = loaded_files.load_id
    order by
        performance.review_id asc,
        loaded_files.extract_date desc,
        performance._load_id desc,
        performance._line desc
),

final as (
    select * from latest_delivery
)

select * from final
