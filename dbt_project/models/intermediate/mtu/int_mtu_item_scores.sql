{#- One row per valid answer (respondent level; never published). Reverse-scored items are
    turned first (v' = scale_min + scale_max - v); the item score is v' on a 0-100 scale.
    Don't-know, blank and out-of-scale answers are left out; the scale is checked again here so
    a corrected catalogue applies to answers loaded before it. Incremental per survey round
    (macros/incremental_rounds.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=["{{ drop_stale_rounds() }}"],
    post_hook=["{{ record_round_signatures() }}"],
) }}
with

to_build as (
    {{ mtu_rounds_to_build() }}
),

answers as (
    select * from {{ ref('stg_mtu__answers') }}
    where survey_id in (select to_build.survey_id from to_build)
),

respondents as (
    select * from {{ ref('stg_mtu__respondents') }}
    where survey_id in (select to_build.survey_id from to_build)
),

questions as (
    select * from {{ ref('int_mtu_round_questions') }}
    where survey_id in (select to_build.survey_id from to_build)
),

valid_answers as (
    select
        answers.survey_id,
        answers.respondent_id,
        respondents.org_unit_code,
        questions.question_code,
        questions.dimension,
        questions.scale_min,
        questions.scale_max,
        case
            when questions.is_reverse_scored
                then questions.scale_min + questions.scale_max - answers.answer_value
            else answers.answer_value
        end as scored_value
    from answers
    inner join respondents
        on
            answers.survey_id = respondents.survey_id
            and answers.respondent_id = respondents.respondent_id
    inner join questions
        on
            answers.survey_id = questions.survey_id
            and answers.question_code = questions.question_code
    where
        not answers.is_dont_know
        and answers.answer_value between questions.scale_min and questions.scale_max
),

scored as (
    select
        survey_id,
        respondent_id,
        org_unit_code,
        question_code,
        dimension,
        scored_value,
        {{ mtu_item_score('scored_value', 'scale_min', 'scale_max') }} as item_score,
        {{ mtu_is_favourable('scored_value', 'scale_max') }} as is_favourable,
        dimension = 'enps' and scored_value >= 9 as is_promoter,
        dimension = 'enps' and scored_value <= 6 as is_detractor
    from valid_answers
),

final as (
    select * from scored
)

select * from final
