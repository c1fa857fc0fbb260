{#- Every org unit with respondents in a round, over its whole subtree as the tree stood at the
    round's end: respondents, invitations and whether its figures are suppressed. The group size
    is every respondent of the subtree, so one suppression decision covers all of a unit's
    figures in that round (confidentiality rules 1 and 3 of indicators.md). The unit's previous
    round is the previous round of its own institution. -#}
with

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
),

round_closure as (
    select * from {{ ref('int_mtu_round_closure') }}
),

respondents as (
    select * from {{ ref('stg_mtu__respondents') }}
),

invitations as (
    select * from {{ ref('stg_mtu__invitations') }}
),

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

round_institutions as (
    select * from {{ ref('int_mtu_round_institutions') }}
),

respondents_per_unit as (
    select
        respondents.survey_id,
        respondents.org_unit_code,
        count(*) as n_respondents
    from respondents
    inner join rounds on respondents.survey_id = rounds.survey_id
    group by respondents.survey_id, respondents.org_unit_code
),

subtree_respondents as (
    select
        round_closure.survey_id,
        round_closure.ancestor_code as org_unit_code,
        sum(respondents_per_unit.n_respondents)::integer as n_respondents
    from respondents_per_unit
    inner join round_closure
        on
            respondents_per_unit.survey_id = round_closure.survey_id
            and respondents_per_unit.org_unit_code = round_closure.org_unit_code
    group by round_closure.survey_id, round_closure.ancestor_code
),

subtree_invited as (
    select
        round_closure.survey_id,
        round_closure.ancestor_code as org_unit_code,
        sum(invitations.invited)::integer as n_invited
    from invitations
    inner join round_closure
        on
            invitations.survey_id = round_closure.survey_id
            and invitations.org_unit_code = round_closure.org_unit_code
    group by round_closure.survey_id, round_closure.ancestor_code
),

parents as (
    select
        survey_id,
        org_unit_code,
        ancestor_code as parent_code
    from round_closure
    where distance = 1
),

unit_groups as (
    select
        subtree_respondents.survey_id,
        subtree_respondents.org_unit_code,
        parents.parent_code,
        subtree_respondents.n_respondents,
        subtree_invited.n_invited
    from subtree_respondents
    left join parents
        on
            subtree_respondents.survey_id = parents.survey_id
            and subtree_respondents.org_unit_code = parents.org_unit_code
    left join subtree_invited
        on
            subtree_respondents.survey_id = subtree_invited.survey_id
            and subtree_respondents.org_unit_code = subtree_invited.org_unit_code
),

suppression as (
    select
        partition_key as survey_id,
        group_key as org_unit_code,
        suppressed,
        reason as suppression_reason
    from culture_fn.suppress_small_groups_array(
        (
            select
                {{ suppression_groups(
                    partition_key='survey_id',
                    group_key='org_unit_code',
                    parent_key='parent_code',
                    sort_key='org_unit_code',
                    size='n_respondents'
                ) }}
            from unit_groups
        ),
        {{ var('min_group_size') }}
    )
),

final as (
    select
        unit_groups.survey_id,
        unit_groups.org_unit_code,
        unit_groups.parent_code,
        paths.institution_code,
        round_institutions.previous_survey_id,
        unit_groups.n_respondents,
        unit_groups.n_invited,
        suppression.suppressed,
        suppression.suppression_reason
    from unit_groups
    inner join suppression
        on
            unit_groups.survey_id = suppression.survey_id
            and unit_groups.org_unit_code = suppression.org_unit_code
    inner join rounds on unit_groups.survey_id = rounds.survey_id
    left join paths
        on
            unit_groups.org_unit_code = paths.org_unit_code
            and rounds.round_end_date >= paths.epoch_start
            and rounds.round_end_date < paths.epoch_end
    left join round_institutions
        on
            unit_groups.survey_id = round_institutions.survey_id
            and paths.institution_code = round_institutions.institution_code
)

select * from final
