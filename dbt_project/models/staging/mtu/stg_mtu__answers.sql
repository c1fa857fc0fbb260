with

answers as (
    select * from {{ source('raw_mtu', 'mtu_answers') }}
),

round_files as (
    select * from {{ ref('stg_mtu__round_files') }}
    where file_type = 'responses'
),

round_answers as (
    select
        answers.survey_id,
        answers._load_id as load_id,
        answers.respondent_id,
        answers.question_code,
        answers.value as answer_value,
        answers.is_dont_know
    from answers
    inner join round_files on answers._load_id = round_files.load_id
),

final as (
    select * from round_answers
)

select * from final
