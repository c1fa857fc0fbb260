{#- Survey × org unit × dimension over the unit's whole subtree, with suppressed figures NULL
    and the change since the previous round. Incremental per survey round
    (macros/incremental_rounds.sql): the figures of a round to build are computed with those of
    its previous rounds, for the change since them, and only the rounds to build are kept. -#}
{{ incremental_rounds_config() }}
with

to_build as (
    {{ mtu_rounds_to_build() }}
),

in_scope as (
    {{ mtu_rounds_with_previous() }}
),

groups as (
    select * from {{ ref('int_mtu_groups') }}
    where survey_id in (select in_scope.survey_id from in_scope)
),

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
),

round_closure as (
    select * from {{ ref('int_mtu_round_closure') }}
    where survey_id in (select in_scope.survey_id from in_scope)
),

respondent_dimensions as (
    select * from {{ ref('int_mtu_respondent_dimensions') }}
    where survey_id in (select in_scope.survey_id from in_scope)
),

questions as (
    select * from {{ ref('int_mtu_round_questions') }}
    where survey_id in (select in_scope.survey_id from in_scope)
),

dimensions as (
    select distinct
        survey_id,
        dimension
    from questions
),

per_unit as (
    select
        survey_id,
        org_unit_code,
        dimension,
        sum(dimension_score) as score_sum,
        count(dimension_score) as n_scored,
        sum(n_favourable) as n_favourable,
        sum(n_items_answered) as n_answers
    from respondent_dimensions
    group by survey_id, org_unit_code, dimension
),

per_subtree as (
    {{ mtu_subtree_sums(
        'per_unit',
        ['dimension'],
        ['score_sum', 'n_scored', 'n_favourable', 'n_answers']
    ) }}
),

figures as (
    select
        groups.survey_id,
        groups.org_unit_code,
        dimensions.dimension,
        groups.n_respondents,
        groups.previous_survey_id,
        groups.suppressed,
        {{ mtu_score('per_subtree.score_sum', 'per_subtree.n_scored', 'groups.suppressed') }} as score,
        {{ mtu_favourable_pct('per_subtree.n_favourable', 'per_subtree.n_answers', 'groups.suppressed') }}
            as favourable_pct
    from groups
    inner join dimensions on groups.survey_id = dimensions.survey_id
    left join per_subtree
        on
            groups.survey_id = per_subtree.survey_id
            and groups.org_unit_code = per_subtree.org_unit_code
            and dimensions.dimension = per_subtree.dimension
),

compared as (
    select
        figures.survey_id,
        rounds.round_end_date,
        figures.org_unit_code,
        figures.dimension,
        figures.n_respondents,
        figures.score,
        figures.favourable_pct,
        figures.previous_survey_id,
        case
            when not figures.suppressed and not previous.suppressed
                then figures.score - previous.score
        end as delta,
        figures.suppressed
    from figures
    inner join rounds on figures.survey_id = rounds.survey_id
    left join figures as previous
        on
            figures.previous_survey_id = previous.survey_id
            and figures.org_unit_code = previous.org_unit_code
            and figures.dimension = previous.dimension
),

final as (
    select * from compared
    where survey_id in (select to_build.survey_id from to_build)
)

select * from final
