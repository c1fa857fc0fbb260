{#- The question catalogue of every visible round. A question counts towards its dimension's
    item count (the denominator of the COPSOQ half rule) when the responses file carried its
    column; `text_key` is the Danish text with case and spacing evened out, for comparing
    questions between rounds. -#}
{#- Incremental per survey round (macros/incremental_rounds.sql): finding the delivered
    questions reads every answer of the round (10.6 M at state scale, 2.3-3.8 s), on the MTU
    chain's critical path in a full build and for nothing on a night that brings no survey file.
    A round's catalogue and answers are among the loads its signature hashes. -#}
{{ incremental_rounds_config() }}
with

to_build as (
    {{ mtu_rounds_to_build() }}
),

questions as (
    select * from {{ ref('stg_mtu__questions') }}
    where survey_id in (select to_build.survey_id from to_build)
),

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
    where survey_id in (select to_build.survey_id from to_build)
),

answers as (
    select * from {{ ref('stg_mtu__answers') }}
    where survey_id in (select to_build.survey_id from to_build)
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
