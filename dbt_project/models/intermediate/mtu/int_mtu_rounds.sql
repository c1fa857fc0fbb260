{#- The survey rounds with responses that had ended by the night's as-of date, and the day each
    ended. A round ends on the Copenhagen date of its last submission; a round whose
    responses carry no submission times ends on the as-of date of the night that first loaded
    its responses (audit.runs through the ledger's run_id), so a replayed night gives the same
    figures. -#}
with

round_files as (
    select * from {{ ref('stg_mtu__round_files') }}
    where file_type = 'responses'
),

respondents as (
    select * from {{ ref('stg_mtu__respondents') }}
),

ledger as (
    select * from {{ source('audit', 'load_ledger') }}
),

runs as (
    select * from {{ source('audit', 'runs') }}
),

first_loading_nights as (
    select
        split_part(ledger.logical_key, '/', 2) as survey_id,
        min(runs.as_of) as first_loaded_as_of
    from ledger
    inner join runs on ledger.run_id = runs.run_id
    where
        ledger.source = 'mtu'
        and ledger.entity = 'responses'
        and ledger.status in ('loaded', 'superseded')
    group by split_part(ledger.logical_key, '/', 2)
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
            first_loading_nights.first_loaded_as_of
        ) as round_end_date
    from round_files
    inner join last_submissions on round_files.survey_id = last_submissions.survey_id
    inner join first_loading_nights on round_files.survey_id = first_loading_nights.survey_id
),

ended_by_as_of as (
    select
        survey_id,
        n_respondents,
        last_submitted_at,
        round_end_date
    from ended
    where round_end_date <= {{ as_of_date() }}
),

final as (
    select * from ended_by_as_of
)

select * from final
