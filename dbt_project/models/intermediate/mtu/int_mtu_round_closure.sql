{#- Unit → every ancestor (itself included) as the org tree stood on each round's end date:
    respondents and invitations registered on a unit count for it and all its ancestors. -#}
with

rounds as (
    select * from {{ ref('int_mtu_rounds') }}
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

round_closure as (
    select
        rounds.survey_id,
        closure.org_unit_code,
        closure.ancestor_code,
        closure.distance
    from rounds
    inner join closure
        on
            rounds.round_end_date >= closure.epoch_start
            and rounds.round_end_date < closure.epoch_end
),

final as (
    select * from round_closure
)

select * from final
