{#- Competence activities are events: a re-delivered activity_id corrects the earlier one, so
    only the latest delivery of each id (by extract date, then file and line) is kept. -#}
with

competence as (
    select * from {{ source('raw_hr', 'hr_competence') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

latest_delivery as (
    select distinct on (competence.activity_id)
        competence.activity_id,
        loaded_files.extract_date,
        competence.employee_number as employee_id,
        lower(competence.activity_type) as activity_type,
        competence.title,
        competence.hours,
        competence.cost_dkk,
        competence.completed_on
    from competence
    inner join loaded_files on competence._load_id = loaded_files.load_id
    order by
        competence.activity_id asc,
        loaded_files.extract_date desc,
        competence._load_id desc,
        competence._line desc
),

final as (
    select * from latest_delivery
)

select * from final
