{#- Survey × org unit × dimension × background variable × value over the unit's whole subtree.
    Each unit's breakdown by one variable is a small tree for the suppression function: the unit
    is the root, every value a group below it, and respondents without a value are the root's
    own members. Rules 1 and 3 then apply inside the unit; a breakdown of a unit whose own
    figures are suppressed is suppressed whole. -#}

{#- The planner misjudges the suppression function's output and the nested breakdown groups and
    picks nested-loop or merge joins that grow quadratically (minutes at 2,000 employees); every
    join here is on equality keys, so hash joins are right. `set local` ends with the model's
    transaction. -#}
{#- The subtree rollup groups ~15 M rows into ~3 M at state scale: hashing in a large work_mem
    instead of an external sort of 1 GB of wide text keys (measured at 190,000 employees). -#}
{#- Incremental per survey round (macros/incremental_rounds.sql). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook=[
        "set local enable_nestloop = off",
        "set local enable_mergejoin = off",
        "set local enable_sort = off",
        "set local work_mem = '512MB'",
        "{{ drop_stale_rounds() }}",
    ],
    post_hook=["{{ record_round_signatures() }}"],
) }}
with

to_build as (
    {{ mtu_rounds_to_build() }}
),

groups as (
    select * from {{ ref('int_mtu_groups') }}
    where survey_id in (select to_build.survey_id from to_build)
),

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
    where survey_id in (select to_build.survey_id from to_build)
),

round_closure as (
    select * from {{ ref('int_mtu_round_closure') }}
),

respondents as (
    select * from {{ ref('stg_mtu__respondents') }}
),

respondent_dimensions as (
    select * from {{ ref('int_mtu_respondent_dimensions') }}
    where survey_id in (select to_build.survey_id from to_build)
),

questions as (
    select * from {{ ref('int_mtu_round_questions') }}
    where survey_id in (select to_build.survey_id from to_build)
),

dimensions as (
    select distinct
        survey_id,
        dimension
    from questions
),

backgrounds as (
    select
        respondents.survey_id,
        respondents.respondent_id,
        respondents.org_unit_code,
        background.variable as background_variable,
        background.value as background_value
    from respondents
    inner join rounds on respondents.survey_id = rounds.survey_id
    cross join
        lateral (
            values
            ('age_band', respondents.bg_age_band),
            ('seniority_band', respondents.bg_seniority_band),
            ('job_family', respondents.bg_job_family),
            ('is_manager', respondents.bg_is_manager::text)
        ) as background (variable, value)
    where background.value is not null
),

sizes_per_unit as (
    select
        survey_id,
        org_unit_code,
        background_variable,
        background_value,
        count(*) as n_respondents
    from backgrounds
    group by survey_id, org_unit_code, background_variable, background_value
),

sizes as (
    select
        round_closure.survey_id,
        round_closure.ancestor_code as org_unit_code,
        sizes_per_unit.background_variable,
        sizes_per_unit.background_value,
        sum(sizes_per_unit.n_respondents)::integer as n_respondents
    from sizes_per_unit
    inner join round_closure
        on
            sizes_per_unit.survey_id = round_closure.survey_id
            and sizes_per_unit.org_unit_code = round_closure.org_unit_code
    group by
        round_closure.survey_id,
        round_closure.ancestor_code,
        sizes_per_unit.background_variable,
        sizes_per_unit.background_value
),

breakdown_groups as (
    select
        sizes.survey_id,
        sizes.org_unit_code,
        sizes.background_variable,
        sizes.background_value,
        sizes.n_respondents,
        groups.n_respondents as n_unit_respondents,
        groups.suppressed as is_unit_suppressed,
        sizes.survey_id || '|' || sizes.org_unit_code || '|' || sizes.background_variable as partition_key,
        sizes.org_unit_code || '|' || sizes.background_variable || '=' || sizes.background_value
            as group_key
    from sizes
    inner join groups
        on
            sizes.survey_id = groups.survey_id
            and sizes.org_unit_code = groups.org_unit_code
),

suppression_input as (
    select distinct
        partition_key,
        org_unit_code as group_key,
        null as parent_key,
        n_unit_respondents as size
    from breakdown_groups

    union all

    select
        partition_key,
        group_key,
        org_unit_code as parent_key,
        n_respondents as size
    from breakdown_groups
),

suppression as (
    select
        partition_key,
        group_key,
        suppressed
    from culture_fn.suppress_small_groups(
        (
            select
                jsonb_agg(
                    jsonb_build_object(
                        'partition_key', partition_key,
                        'group_key', group_key,
                        'parent_key', parent_key,
                        'size', size
                    )
                )
            from suppression_input
        ),
        {{ var('min_group_size') }}
    )
),

per_unit as (
    select
        backgrounds.survey_id,
        backgrounds.org_unit_code,
        backgrounds.background_variable,
        backgrounds.background_value,
        respondent_dimensions.dimension,
        sum(respondent_dimensions.dimension_score) as score_sum,
        count(respondent_dimensions.dimension_score) as n_scored,
        sum(respondent_dimensions.n_favourable) as n_favourable,
        sum(respondent_dimensions.n_items_answered) as n_answers
    from backgrounds
    inner join respondent_dimensions
        on
            backgrounds.survey_id = respondent_dimensions.survey_id
            and backgrounds.respondent_id = respondent_dimensions.respondent_id
    group by
        backgrounds.survey_id,
        backgrounds.org_unit_code,
        backgrounds.background_variable,
        backgrounds.background_value,
        respondent_dimensions.dimension
),

per_subtree as (
    {{ mtu_subtree_sums(
        'per_unit',
        ['background_variable', 'background_value', 'dimension'],
        ['score_sum', 'n_scored', 'n_favourable', 'n_answers']
    ) }}
),

shown as (
    select
        breakdown_groups.survey_id,
        breakdown_groups.org_unit_code,
        breakdown_groups.background_variable,
        breakdown_groups.background_value,
        breakdown_groups.n_respondents,
        breakdown_groups.is_unit_suppressed or suppression.suppressed as suppressed
    from breakdown_groups
    inner join suppression
        on
            breakdown_groups.partition_key = suppression.partition_key
            and breakdown_groups.group_key = suppression.group_key
),

figures as (
    select
        shown.survey_id,
        shown.org_unit_code,
        dimensions.dimension,
        shown.background_variable,
        shown.background_value,
        shown.n_respondents,
        {{ mtu_score('per_subtree.score_sum', 'per_subtree.n_scored', 'shown.suppressed') }} as score,
        {{ mtu_favourable_pct('per_subtree.n_favourable', 'per_subtree.n_answers', 'shown.suppressed') }}
            as favourable_pct,
        shown.suppressed
    from shown
    inner join dimensions on shown.survey_id = dimensions.survey_id
    left join per_subtree
        on
            shown.survey_id = per_subtree.survey_id
            and shown.org_unit_code = per_subtree.org_unit_code
            and shown.background_variable = per_subtree.background_variable
            and shown.background_value = per_subtree.background_value
            and dimensions.dimension = per_subtree.dimension
),

final as (
    select * from figures
)

select * from final
