{#- One row per respondent of a reported group (int_mtu_groups) and dimension of the round
    (one anybody answered) of which the respondent answered no item. Such a respondent counts in
    a breakdown group's size but not in the group's figures for that dimension, which an analyst
    who knows the sizes can use: the disclosure control reads this model to build those
    families (disclosure/families.py, `_SILENT`). Respondent level, never published.
    Incremental per survey round (macros/incremental_rounds.sql): on a night that brings no
    survey file it is not read again from the 3.5 M respondent dimensions at state scale. -#}
{#- Hash joins throughout (the planner misjudges the few candidates and picks merge joins that
    sort millions of rows), and the respondent dimensions read where each use needs them rather
    than copied once (a CTE read three times is otherwise materialised: 3.5 M rows at state
    scale). -#}
{{ incremental_rounds_config(extra_pre_hooks=[
    "set local enable_mergejoin = off",
    "set local enable_nestloop = off",
    "set local work_mem = '256MB'",
]) }}
with

to_build as (
    {{ mtu_rounds_to_build() }}
),

respondent_dimensions as not materialized (
    select * from {{ ref('int_mtu_respondent_dimensions') }}
    where survey_id in (select to_build.survey_id from to_build)
),

respondents as (
    select * from {{ ref('stg_mtu__respondents') }}
    where survey_id in (select to_build.survey_id from to_build)
),

groups as (
    select * from {{ ref('int_mtu_groups') }}
    where survey_id in (select to_build.survey_id from to_build)
),

dimensions as (
    select distinct
        survey_id,
        dimension
    from respondent_dimensions
),

round_dimensions as (
    select
        survey_id,
        count(*) as n_dimensions
    from dimensions
    group by survey_id
),

answered as (
    select
        survey_id,
        respondent_id,
        count(*) as n_dimensions
    from respondent_dimensions
    group by survey_id, respondent_id
),

candidates as (
    {#- Respondents who answered fewer dimensions than the round has (a few percent): only their
        answers are read again, not every respondent's. -#}
    select
        respondents.survey_id,
        respondents.respondent_id,
        respondents.org_unit_code,
        respondents.bg_age_band,
        respondents.bg_seniority_band,
        respondents.bg_job_family,
        respondents.bg_is_manager
    from respondents
    inner join groups
        on
            respondents.survey_id = groups.survey_id
            and respondents.org_unit_code = groups.org_unit_code
    inner join round_dimensions on respondents.survey_id = round_dimensions.survey_id
    left join answered
        on
            respondents.survey_id = answered.survey_id
            and respondents.respondent_id = answered.respondent_id
    where coalesce(answered.n_dimensions, 0) < round_dimensions.n_dimensions
),

candidate_answers as (
    select
        respondent_dimensions.survey_id,
        respondent_dimensions.respondent_id,
        respondent_dimensions.dimension
    from respondent_dimensions
    where exists (
        select 1
        from candidates
        where
            respondent_dimensions.survey_id = candidates.survey_id
            and respondent_dimensions.respondent_id = candidates.respondent_id
    )
),

silent as (
    select
        candidates.survey_id,
        candidates.respondent_id,
        candidates.org_unit_code,
        candidates.bg_age_band,
        candidates.bg_seniority_band,
        candidates.bg_job_family,
        candidates.bg_is_manager,
        dimensions.dimension
    from candidates
    inner join dimensions on candidates.survey_id = dimensions.survey_id
    left join candidate_answers
        on
            candidates.survey_id = candidate_answers.survey_id
            and candidates.respondent_id = candidate_answers.respondent_id
            and dimensions.dimension = candidate_answers.dimension
    where candidate_answers.dimension is null
),

final as (
    select * from silent
)

select * from final
