{#- Respondents and invitations registered on an org unit that is not in the round's org tree
    (the tree at the round's end). They count for no unit, so they are reported: per round,
    file type and unit code, how many respondents or invitations were left out (counts only).
    transform.py copies tonight's rows into audit.mtu_units_outside_tree. -#}
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

placed_units as (
    select distinct
        survey_id,
        org_unit_code
    from round_closure
),

registered as (
    select
        survey_id,
        'responses' as file_type,
        org_unit_code,
        count(*)::integer as n_left_out
    from respondents
    group by survey_id, org_unit_code

    union all

    select
        survey_id,
        'invitations' as file_type,
        org_unit_code,
        sum(invited)::integer as n_left_out
    from invitations
    group by survey_id, org_unit_code
),

left_out as (
    select
        registered.survey_id,
        rounds.round_end_date,
        registered.file_type,
        registered.org_unit_code,
        registered.n_left_out
    from registered
    inner join rounds on registered.survey_id = rounds.survey_id
    left join placed_units
        on
            registered.survey_id = placed_units.survey_id
            and registered.org_unit_code = placed_units.org_unit_code
    where placed_units.org_unit_code is null
),

final as (
    select * from left_out
)

select * from final
