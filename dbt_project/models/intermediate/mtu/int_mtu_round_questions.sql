{#- The question catalogue of every visible round. A question counts towards its dimension's
    item count (the denominator of the COPSOQ half rule) when the responses file carried its
    column; `text_key` is the Danish text with case and spacing evened out, for comparing
    questions between rounds. -#}
with

questions as (
    select * from {{ ref('stg_mtu__questions') }}
),

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
),

answers as (
    select * from {{ ref('stg_mtu__answers') }}
),

delivered as (
    select distinct
        survey_id,
        question_code
    from answers
),

catalogue as (
    select
        questions.survey_id,
        questions.question_code,
        questions.text_da,
        questions.dimension,
        questions.scale_min,
        questions.scale_max,
        questions.is_reverse_scored,
        questions.dont_know_code,
        delivered.question_code is not null as is_delivered,
        lower(regexp_replace(btrim(questions.text_da), '\s+', ' ', 'g')) as text_key
    from questions
    inner join rounds on questions.survey_id = rounds.survey_id
    left join delivered
        on
            questions.survey_id = delivered.survey_id
            and questions.question_code = delivered.question_code
),

counted as (
    select
        *,
        count(*) filter (where is_delivered) over (
            partition by survey_id, dimension
        ) as n_dimension_items
    from catalogue
),

final as (
    select * from counted
)

select * from final
