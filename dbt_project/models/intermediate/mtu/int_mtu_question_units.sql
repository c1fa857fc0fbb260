{#- Survey × org unit × question: the valid answers of the unit's own respondents (not its
    subtree), with their score sum and favourable count. The question results roll these up the
    round's tree; the disclosure control reads the answer counts (never a figure) as the sizes
    of each unit's direct group per question. Incremental per survey round
    (macros/incremental_rounds.sql): a night without a changed round groups no answers. -#}
{{ incremental_rounds_config() }}
with

to_build as (
    {{ mtu_rounds_to_build() }}
),

item_scores as (
    select * from {{ ref('int_mtu_item_scores') }}
    where survey_id in (select to_build.survey_id from to_build)
),

per_unit as (
    select
        survey_id,
        org_unit_code,
        question_code,
        dimension,
        sum(item_score) as score_sum,
        count(*) filter (where is_favourable) as n_favourable,
        count(*) as n_answers
    from item_scores
    group by survey_id, org_unit_code, question_code, dimension
),

final as (
    select * from per_unit
)

select * from final
