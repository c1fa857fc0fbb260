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
{#- The two large aggregations (respondents into units, units into subtrees: ~12 M and ~15 M
    rows into ~3 M groups at state scale) group by whole numbers that stand for the round, unit,
    dimension and background value; names are joined back once at the end. PostgreSQL hashes
    four integers about three times faster than five text columns (measured at 190,000
    employees: 26 s → 5 s for the subtree rollup). -#}
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
    from culture_fn.suppress_small_groups_array(
        (
            select
                {{ suppression_groups(
                    partition_key='partition_key',
                    group_key='group_key',
                    parent_key='parent_key',
                    size='size'
                ) }}
            from suppression_input
        ),
        {{ var('min_group_size') }}
    )
),

round_ids as (
    select
        survey_id,
        (row_number() over (order by survey_id))::integer as round_id
    from rounds
),

unit_ids as (
    select
        codes.org_unit_code,
        (row_number() over (order by codes.org_unit_code))::integer as unit_id
    from (select distinct round_closure.org_unit_code from round_closure) as codes
),

dimension_ids as (
    select
        survey_id,
        dimension,
        (row_number() over (order by survey_id, dimension))::integer as dimension_id
    from dimensions
),

background_ids as (
    select
        pairs.background_variable,
        pairs.background_value,
        (row_number() over (order by pairs.background_variable, pairs.background_value))::integer
            as background_id
    from (
        select distinct
            backgrounds.background_variable,
            backgrounds.background_value
        from backgrounds
    ) as pairs
),

closure_ids as (
    select
        round_ids.round_id,
        units.unit_id,
        ancestors.unit_id as ancestor_id
    from round_closure
    inner join round_ids on round_closure.survey_id = round_ids.survey_id
    inner join unit_ids as units on round_closure.org_unit_code = units.org_unit_code
    inner join unit_ids as ancestors on round_closure.ancestor_code = ancestors.org_unit_code
),

respondent_dimension_ids as (
    select
        respondent_dimensions.survey_id,
        respondent_dimensions.respondent_id,
        dimension_ids.dimension_id,
        respondent_dimensions.dimension_score,
        respondent_dimensions.n_favourable::integer as n_favourable,
        respondent_dimensions.n_items_answered::integer as n_items_answered
    from respondent_dimensions
    inner join dimension_ids
        on
            respondent_dimensions.survey_id = dimension_ids.survey_id
            and respondent_dimensions.dimension = dimension_ids.dimension
),

respondent_background_ids as (
    {#- Each respondent once, with the whole number of each of their background values (NULL
        where they gave none). -#}
    select
        respondents.survey_id,
        respondents.respondent_id,
        round_ids.round_id,
        unit_ids.unit_id,
        age.background_id as age_id,
        seniority.background_id as seniority_id,
        job.background_id as job_id,
        manager.background_id as manager_id
    from respondents
    inner join round_ids on respondents.survey_id = round_ids.survey_id
    inner join unit_ids on respondents.org_unit_code = unit_ids.org_unit_code
    left join background_ids as age
        on
            age.background_variable = 'age_band'
            and respondents.bg_age_band = age.background_value
    left join background_ids as seniority
        on
            seniority.background_variable = 'seniority_band'
            and respondents.bg_seniority_band = seniority.background_value
    left join background_ids as job
        on
            job.background_variable = 'job_family'
            and respondents.bg_job_family = job.background_value
    left join background_ids as manager
        on
            manager.background_variable = 'is_manager'
            and respondents.bg_is_manager::text = manager.background_value
),

per_unit as (
    {#- One grouping set per background variable: each respondent's dimension rows are read once
        for all four variables, instead of joined to the respondent's four background rows first
        (12 M joined rows at state scale; measured at 190,000 employees: 53.0 s -> 49.4 s for the
        model, the same rows). In each set the other variables' ids are NULL, so the one not NULL
        is the group's background value; a respondent without a value for the set's variable
        falls in a group whose ids are all NULL, which is left out. -#}
    select
        respondent_background_ids.round_id,
        respondent_background_ids.unit_id,
        respondent_dimension_ids.dimension_id,
        coalesce(
            respondent_background_ids.age_id,
            respondent_background_ids.seniority_id,
            respondent_background_ids.job_id,
            respondent_background_ids.manager_id
        ) as background_id,
        sum(respondent_dimension_ids.dimension_score) as score_sum,
        count(respondent_dimension_ids.dimension_score)::integer as n_scored,
        sum(respondent_dimension_ids.n_favourable)::integer as n_favourable,
        sum(respondent_dimension_ids.n_items_answered)::integer as n_answers
    from respondent_background_ids
    inner join respondent_dimension_ids
        on
            respondent_background_ids.survey_id = respondent_dimension_ids.survey_id
            and respondent_background_ids.respondent_id = respondent_dimension_ids.respondent_id
    group by
        respondent_background_ids.round_id,
        respondent_background_ids.unit_id,
        respondent_dimension_ids.dimension_id,
        grouping sets (
            (respondent_background_ids.age_id),
            (respondent_background_ids.seniority_id),
            (respondent_background_ids.job_id),
            (respondent_background_ids.manager_id)
        )
    having
        coalesce(
            respondent_background_ids.age_id,
            respondent_background_ids.seniority_id,
            respondent_background_ids.job_id,
            respondent_background_ids.manager_id
        ) is not null
),

per_subtree as (
    {{ mtu_subtree_sums(
        'per_unit',
        ['background_id', 'dimension_id'],
        ['score_sum', 'n_scored', 'n_favourable', 'n_answers'],
        closure='closure_ids', survey='round_id', unit='unit_id', ancestor='ancestor_id'
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

shown_ids as materialized (
    {#- Each shown group's whole numbers once (270,000 groups at state scale), before the groups
        become one row per dimension: joining the names to the ids after that joins 3.2 M rows on
        text (measured at 190,000 employees: 53.5 s -> 49.6 s for the model, the same rows). -#}
    select
        shown.*,
        round_ids.round_id,
        unit_ids.unit_id,
        background_ids.background_id
    from shown
    inner join round_ids on shown.survey_id = round_ids.survey_id
    left join unit_ids on shown.org_unit_code = unit_ids.org_unit_code
    left join background_ids
        on
            shown.background_variable = background_ids.background_variable
            and shown.background_value = background_ids.background_value
),

figures as (
    select
        shown_ids.survey_id,
        shown_ids.org_unit_code,
        dimension_ids.dimension,
        shown_ids.background_variable,
        shown_ids.background_value,
        shown_ids.n_respondents,
        {{ mtu_score('per_subtree.score_sum', 'per_subtree.n_scored', 'shown_ids.suppressed') }} as score,
        {{ mtu_favourable_pct('per_subtree.n_favourable', 'per_subtree.n_answers', 'shown_ids.suppressed') }}
            as favourable_pct,
        shown_ids.suppressed
    from shown_ids
    inner join dimension_ids on shown_ids.survey_id = dimension_ids.survey_id
    left join per_subtree
        on
            shown_ids.round_id = per_subtree.round_id
            and shown_ids.unit_id = per_subtree.unit_id
            and shown_ids.background_id = per_subtree.background_id
            and dimension_ids.dimension_id = per_subtree.dimension_id
),

final as (
    select * from figures
)

select * from final
