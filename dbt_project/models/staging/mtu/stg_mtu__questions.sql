with

questions as (
    select * from {{ source('raw_mtu', 'mtu_questions') }}
),

round_files as (
    select * from {{ ref('stg_mtu__round_files') }}
    where file_type = 'questions'
),

catalogue as (
    select
        round_files.survey_id,
        questions._load_id as load_id,
        questions.question_code,
        questions.text_da,
        questions.text_en,
        lower(questions.dimension) as dimension,
        questions.scale_min,
        questions.scale_max,
        coalesce(questions.reverse_scored, false) as is_reverse_scored,
        questions.dont_know_code
    from questions
    inner join round_files on questions._load_id = round_files.load_id
),

final as (
    select * from catalogue
)

select * from final
