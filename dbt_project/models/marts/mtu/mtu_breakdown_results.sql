{#- What BI reads of a round per org unit, dimension and background group; suppressed figures
    are NULL. -#}
with

breakdown_results as (
    select * from {{ ref('int_mtu_breakdown_results') }}
),

final as (
    select
        survey_id,
        org_unit_code,
        dimension,
        background_variable,
        background_value,
        n_respondents,
        score,
        favourable_pct,
        suppressed
    from breakdown_results
)

select * from final
