{#- The survey rounds with responses that had ended by the night's as-of date, in the order
    they ended. A round ends on the Copenhagen date of its last submission; a responses file
    without submission times ends its round on the day it was loaded. -#}
with

round_files as (
    select * from {{ ref('stg_mtu__round_files') }}
    where file_type = 'responses'
),

respondents as (
    select * from {{ ref('stg_mtu__respondents') }}
),

last_submissions as (
    select
        survey_id,
        count(*) as n_respondents,
        max(submitted_at) as last_submitted_at
    from respondents
    group by survey_id
),

ended as (
    select
        round_files.survey_id,
        last_submissions.n_respondents,
        last_submissions.last_submitted_at,
        coalesce(
            (last_submissions.last_submitted_at at time zone 'Europe/Copenhagen')::date,
            (round_files.loaded_at at time zone 'Europe/Copenhagen')::date
        ) as round_end_date
    from round_files
    inner join last_submissions on round_files.survey_id = last_submissions.survey_id
),

ordered as (
    select
        survey_id,
        n_respondents,
        last_submitted_at,
        round_end_date,
        lag(survey_id) over (order by round_end_date, survey_id) as previous_survey_id
    from ended
    where round_end_date <= {{ as_of_date() }}
),

final as (
    select * from ordered
)

select * from final
