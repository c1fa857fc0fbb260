{#- One signature per visible survey round: a hash of everything its respondent-level and
    per-unit figures are built from, so the incremental MTU models rebuild a round only when its
    signature changed (macros/incremental_rounds.sql). The parts: the loads of the round's files
    (a corrected re-delivery or a withdrawn file changes them: a load's rows never change), the
    round's end and respondent count, the org tree at its end (unit, ancestor, distance and
    institution), its previous round per institution, and that previous round's own parts (the
    change since the previous round is part of a round's figures). k, the as-of date's other
    effects and the code are covered by the build fingerprint (transform.py). -#}
with

round_files as (
    select * from {{ ref('stg_mtu__round_files') }}
),

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
),

round_closure as (
    select * from {{ ref('int_mtu_round_closure') }}
),

round_institutions as (
    select * from {{ ref('int_mtu_round_institutions') }}
),

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

files as (
    select
        survey_id,
        string_agg(file_type || '=' || load_id::text, ',' order by file_type, load_id) as loads
    from round_files
    group by survey_id
),

trees as (
    select
        survey_id,
        md5(
            string_agg(
                org_unit_code || '>' || ancestor_code || ':' || distance::text,
                ',' order by org_unit_code, ancestor_code
            )
        ) as tree_hash
    from round_closure
    group by survey_id
),

institutions as (
    select
        rounds.survey_id,
        md5(
            string_agg(
                paths.org_unit_code || '@' || coalesce(paths.institution_code, ''),
                ',' order by paths.org_unit_code
            )
        ) as institution_hash
    from rounds
    inner join paths
        on
            rounds.round_end_date >= paths.epoch_start
            and rounds.round_end_date < paths.epoch_end
    group by rounds.survey_id
),

previous as (
    select
        survey_id,
        string_agg(
            institution_code || '<' || coalesce(previous_survey_id, ''),
            ',' order by institution_code
        ) as previous_rounds
    from round_institutions
    group by survey_id
),

own_parts as (
    select
        files.survey_id,
        md5(
            concat_ws(
                '|',
                files.loads,
                rounds.round_end_date::text,
                rounds.n_respondents::text,
                trees.tree_hash,
                institutions.institution_hash,
                previous.previous_rounds
            )
        ) as own_signature
    from files
    left join rounds on files.survey_id = rounds.survey_id
    left join trees on files.survey_id = trees.survey_id
    left join institutions on files.survey_id = institutions.survey_id
    left join previous on files.survey_id = previous.survey_id
),

with_previous as (
    select
        own_parts.survey_id,
        md5(
            own_parts.own_signature || '|'
            || coalesce(
                string_agg(previous_parts.own_signature, ',' order by previous_parts.survey_id), ''
            )
        ) as round_signature
    from own_parts
    left join round_institutions on own_parts.survey_id = round_institutions.survey_id
    left join own_parts as previous_parts on round_institutions.previous_survey_id = previous_parts.survey_id
    group by own_parts.survey_id, own_parts.own_signature
),

final as (
    select * from with_previous
)

select * from final
