with

respondents as (
    select * from {{ source('raw_mtu', 'mtu_respondents') }}
),

round_files as (
    select * from {{ ref('stg_mtu__round_files') }}
    where file_type = 'responses'
),

round_respondents as (
    select
        respondents.survey_id,
        respondents._load_id as load_id,
        respondents.respondent_id,
        respondents.org_unit_code,
        respondents.submitted_at,
        respondents.bg_age_band,
        respondents.bg_seniority_band,
        respondents.bg_job_family,
        respondents.bg_is_manager
    from respondents
    inner join round_files on respondents._load_id = round_files.load_id
),

final as (
    select * from round_respondents
)

select * from final
