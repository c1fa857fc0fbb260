{#- Survey × org unit: the round's headline figures over the unit's whole subtree (trust index,
    social capital index, eNPS, response rate), NULL when the unit is suppressed. -#}
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

dimension_results as (
    select * from {{ ref('int_mtu_dimension_results') }}
),

enps_per_unit as (
    select
        survey_id,
        org_unit_code,
        count(*) as n_answers,
        count(*) filter (where is_promoter) as n_promoters,
        count(*) filter (where is_detractor) as n_detractors
    from item_scores
    where dimension = 'enps'
    group by survey_id, org_unit_code
),

enps_per_subtree as (
    {{ mtu_subtree_sums(
        'enps_per_unit',
        [],
        ['n_answers', 'n_promoters', 'n_detractors']
    ) }}
),

social_capital as (
    select
        survey_id,
        org_unit_code,
        max(score) filter (where dimension = 'tillid') as tillid_score,
        max(score) filter (where dimension = 'retfaerdighed') as retfaerdighed_score,
        max(score) filter (where dimension = 'samarbejde') as samarbejde_score
    from dimension_results
    group by survey_id, org_unit_code
),

headline as (
    select
        groups.survey_id,
        rounds.round_end_date,
        groups.org_unit_code,
        groups.n_respondents,
        groups.n_invited,
        social_capital.tillid_score as trust_index,
        (
            social_capital.tillid_score
            + social_capital.retfaerdighed_score
            + social_capital.samarbejde_score
        ) / 3 as social_capital_index,
        case
            when not groups.suppressed
                then
                    100.0 * (enps_per_subtree.n_promoters - enps_per_subtree.n_detractors)
                    / nullif(enps_per_subtree.n_answers, 0)
        end as enps,
        case
            when not groups.suppressed then 100.0 * groups.n_respondents / nullif(groups.n_invited, 0)
        end as response_rate_pct,
        groups.suppressed
    from groups
    inner join rounds on groups.survey_id = rounds.survey_id
    left join social_capital
        on
            groups.survey_id = social_capital.survey_id
            and groups.org_unit_code = social_capital.org_unit_code
    left join enps_per_subtree
        on
            groups.survey_id = enps_per_subtree.survey_id
            and groups.org_unit_code = enps_per_subtree.org_unit_code
),

final as (
    select * from headline
)

select * from final
