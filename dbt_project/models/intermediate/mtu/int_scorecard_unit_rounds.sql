{#- The MTU round each scorecard row reads: per unit and quarter, the latest round of the unit's
    own institution that ended (its last submission) on or before the period end. One decision
    for the scorecard's MTU figures and for mtu_followed_up. -#}
with

units as (
    select * from {{ ref('int_scorecard_units') }}
),

round_institutions as (
    select * from {{ ref('int_mtu_round_institutions') }}
),

unit_rounds as (
    select distinct on (units.org_unit_code, units.period_end)
        units.org_unit_code,
        units.period_end,
        round_institutions.survey_id,
        round_institutions.round_end_date
    from units
    inner join round_institutions
        on
            units.institution_code = round_institutions.institution_code
            and units.period_end >= round_institutions.round_end_date
    order by
        units.org_unit_code asc,
        units.period_end asc,
        round_institutions.round_end_date desc,
        round_institutions.survey_id desc
),

final as (
    select * from unit_rounds
)

select * from final
