{#- One row per respondent and dimension with at least one valid answer (respondent level;
    never published). The respondent dimension score is the mean of the respondent's item
    scores, only when they answered at least half of the dimension's items (the COPSOQ rule).
    Incremental per survey round (macros/incremental_rounds.sql). -#}
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

item_scores as (
    select * from {{ ref('int_mtu_item_scores') }}
    where survey_id in (select to_build.survey_id from to_build)
),

questions as (
    select * from {{ ref('int_mtu_round_questions') }}
    where survey_id in (select to_build.survey_id from to_build)
),

dimension_items as (
    select distinct
        survey_id,
        dimension,
        n_dimension_items
    from questions
),

answered as (
    select
        survey_id,
        respondent_id,
        org_unit_code,
        dimension,
        count(*) as n_items_answered,
        count(*) filter (where is_favourable) as n_favourable,
        avg(item_score) as mean_item_score
    from item_scores
    group by survey_id, respondent_id, org_unit_code, dimension
),

scored as (
    select
        answered.survey_id,
        answered.respondent_id,
        answered.org_unit_code,
        answered.dimension,
        answered.n_items_answered,
        answered.n_favourable,
        dimension_items.n_dimension_items,
        case
            when answered.n_items_answered * 2 >= dimension_items.n_dimension_items
                then answered.mean_item_score
        end as dimension_score
    from answered
    inner join dimension_items
        on
            answered.survey_id = dimension_items.survey_id
            and answered.dimension = dimension_items.dimension
),

final as (
    select * from scored
)

select * from final
