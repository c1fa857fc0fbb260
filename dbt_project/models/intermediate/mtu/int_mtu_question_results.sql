{#- Survey × org unit × question over the unit's whole subtree, with suppressed figures NULL.
    The change since the previous round is given only where that round asked a question with
    the same code and the same Danish text (contracts/mtu.md). -#}
with

groups as (
    select * from {{ ref('int_mtu_groups') }}
),

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
),

round_closure as (
    select * from {{ ref('int_mtu_round_closure') }}
),

item_scores as (
    select * from {{ ref('int_mtu_item_scores') }}
),

questions as (
    select * from {{ ref('int_mtu_round_questions') }}
),

per_unit as (
    select
        survey_id,
        org_unit_code,
        question_code,
        sum(item_score) as score_sum,
        count(*) filter (where is_favourable) as n_favourable,
        count(*) as n_answers
    from item_scores
    group by survey_id, org_unit_code, question_code
),

per_subtree as (
    {{ mtu_subtree_sums(
        'per_unit',
        ['question_code'],
        ['score_sum', 'n_favourable', 'n_answers']
    ) }}
),

figures as (
    select
        groups.survey_id,
        groups.org_unit_code,
        questions.question_code,
        questions.dimension,
        questions.text_da,
        questions.text_key,
        groups.n_respondents,
        groups.suppressed,
        case
            when not groups.suppressed then per_subtree.score_sum / nullif(per_subtree.n_answers, 0)
        end as score,
        case
            when not groups.suppressed
                then 100.0 * per_subtree.n_favourable / nullif(per_subtree.n_answers, 0)
        end as favourable_pct
    from groups
    inner join questions on groups.survey_id = questions.survey_id
    left join per_subtree
        on
            groups.survey_id = per_subtree.survey_id
            and groups.org_unit_code = per_subtree.org_unit_code
            and questions.question_code = per_subtree.question_code
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
        rounds.previous_survey_id,
        case
            when not figures.suppressed and not previous.suppressed
                then figures.score - previous.score
        end as delta,
        figures.suppressed
    from figures
    inner join rounds on figures.survey_id = rounds.survey_id
    left join figures as previous
        on
            rounds.previous_survey_id = previous.survey_id
            and figures.org_unit_code = previous.org_unit_code
            and figures.question_code = previous.question_code
            and figures.text_key = previous.text_key
),

final as (
    select * from compared
)

select * from final
