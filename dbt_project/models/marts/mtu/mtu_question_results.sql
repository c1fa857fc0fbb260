{#- What BI reads of a round per org unit and question; suppressed figures are NULL. -#}
with

question_results as (
    select * from {{ ref('int_mtu_question_results') }}
),

final as (
    select
        survey_id,
        round_end_date,
        org_unit_code,
        question_code,
        dimension,
        text_da as question_text_da,
        n_respondents,
        score,
        favourable_pct,
        previous_survey_id,
        delta,
        suppressed
    from question_results
)

select * from final
