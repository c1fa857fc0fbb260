{#- What BI reads of a round per org unit and dimension; suppressed figures are NULL. -#}
with

dimension_results as (
    select * from {{ ref('int_mtu_dimension_results') }}
),

final as (
    select
        survey_id,
        round_end_date,
        org_unit_code,
        dimension,
        n_respondents,
        score,
        favourable_pct,
        previous_survey_id,
        delta,
        suppressed
    from dimension_results
)

select * from final
