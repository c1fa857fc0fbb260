{#- Which institutions each round covers, and each institution's previous round. A round covers
    the institutions of the units it invited or that answered, as the org tree stood at the
    round's end; several institutions may share one warehouse, each with its own survey series,
    so a unit's previous round is the previous round of its own institution. -#}
with

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
),

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

respondents as (
    select * from {{ ref('stg_mtu__respondents') }}
),

invitations as (
    select * from {{ ref('stg_mtu__invitations') }}
),

round_units as (
    select
        survey_id,
        org_unit_code
    from respondents
    union
    select
        survey_id,
        org_unit_code
    from invitations
),

covered as (
    select distinct
        rounds.survey_id,
        rounds.round_end_date,
        paths.institution_code
    from round_units
    inner join rounds on round_units.survey_id = rounds.survey_id
    inner join paths
        on
            round_units.org_unit_code = paths.org_unit_code
            and rounds.round_end_date >= paths.epoch_start
            and rounds.round_end_date < paths.epoch_end
),

ordered as (
    select
        survey_id,
        institution_code,
        round_end_date,
        lag(survey_id) over (
            partition by institution_code order by round_end_date, survey_id
        ) as previous_survey_id
    from covered
),

final as (
    select * from ordered
)

select * from final
