{#- Survey × org unit × question over the unit's whole subtree, with suppressed figures NULL.
    The group size of a question is its valid answers in the subtree (indicators.md, rule 5), so
    rules 1 and 3 run per question on the round's tree; a question of a unit whose own figures
    are suppressed goes in as suppressed, so the unit's decision holds and rule 3 sees it.
    The change since the previous round is given only where that round asked a question with
    the same code and the same Danish text (contracts/mtu.md). Incremental per survey round
    (macros/incremental_rounds.sql): the figures of a round to build are computed with those of
    its previous rounds, for the change since them, and only the rounds to build are kept. -#}
{#- The question groups are joined to their suppression and to the previous round on text keys:
    merge joins sort 767,000 of them in the database's collation, hash joins do not (measured at
    190,000 employees: 19.0 s -> 14.4 s for the query, the same rows). `set local` ends with the
    model's transaction. -#}
{{ incremental_rounds_config(extra_pre_hooks=["set local enable_mergejoin = off"]) }}
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

per_unit as (
    select * from {{ ref('int_mtu_question_units') }}
    where survey_id in (select in_scope.survey_id from in_scope)
),

questions as (
    select * from {{ ref('int_mtu_round_questions') }}
    where survey_id in (select in_scope.survey_id from in_scope)
),

per_subtree as (
    {{ mtu_subtree_sums(
        'per_unit',
        ['question_code'],
        ['score_sum', 'n_favourable', 'n_answers']
    ) }}
),

question_groups as (
    select
        groups.survey_id,
        groups.org_unit_code,
        groups.parent_code,
        groups.previous_survey_id,
        groups.suppressed as is_unit_suppressed,
        questions.question_code,
        questions.dimension,
        questions.text_da,
        questions.text_key,
        per_subtree.score_sum,
        per_subtree.n_favourable,
        coalesce(per_subtree.n_answers, 0)::integer as n_answers,
        groups.survey_id || '|' || questions.question_code as partition_key
    from groups
    inner join questions on groups.survey_id = questions.survey_id
    left join per_subtree
        on
            groups.survey_id = per_subtree.survey_id
            and groups.org_unit_code = per_subtree.org_unit_code
            and questions.question_code = per_subtree.question_code
),

suppression as (
    select
        partition_key,
        group_key as org_unit_code,
        suppressed
    from culture_fn.suppress_small_groups_array(
        (
            select
                {{ suppression_groups(
                    partition_key='partition_key',
                    group_key='org_unit_code',
                    parent_key='parent_code',
                    sort_key='org_unit_code',
                    size='n_answers',
                    suppressed='is_unit_suppressed'
                ) }}
            from question_groups
        ),
        {{ var('min_group_size') }}
    )
),

figures as (
    select
        question_groups.survey_id,
        question_groups.org_unit_code,
        question_groups.question_code,
        question_groups.dimension,
        question_groups.text_da,
        question_groups.text_key,
        question_groups.previous_survey_id,
        question_groups.n_answers as n_respondents,
        suppression.suppressed,
        {{ mtu_score('question_groups.score_sum', 'question_groups.n_answers', 'suppression.suppressed') }}
            as score,
        {{ mtu_favourable_pct(
            'question_groups.n_favourable', 'question_groups.n_answers', 'suppression.suppressed'
        ) }} as favourable_pct
    from question_groups
    inner join suppression
        on
            question_groups.partition_key = suppression.partition_key
            and question_groups.org_unit_code = suppression.org_unit_code
),

compared as (
    select
        figures.survey_id,
        rounds.round_end_date,
        figures.org_unit_code,
        figures.question_code,
        figures.dimension,
        figures.text_da,
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
            and figures.question_code = previous.question_code
            and figures.text_key = previous.text_key
),

final as (
    select * from compared
    where survey_id in (select to_build.survey_id from to_build)
)

select * from final
