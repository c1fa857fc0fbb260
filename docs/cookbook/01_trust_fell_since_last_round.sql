-- Which units' trust fell since the last round?
-- (Hvilke enheders tillid er faldet siden sidste måling?)
-- Units whose `tillid` score in the latest MTU round is below their previous
-- round's, largest fall first. A unit suppressed in either round has no delta and is left out.
with latest_round as (
    select
        survey_id,
        round_end_date
    from marts.mtu_dimension_results
    order by round_end_date desc
    limit 1
)

select
    results.org_unit_code,
    units.org_unit_name,
    results.survey_id,
    results.previous_survey_id,
    round(results.score, 1) as trust_score,
    round(results.delta, 1) as trust_change
from marts.mtu_dimension_results as results
inner join latest_round on results.survey_id = latest_round.survey_id
inner join marts.dim_org_unit as units
    on
        results.org_unit_code = units.org_unit_code
        and latest_round.round_end_date >= units.valid_from
        and (units.valid_to is null or latest_round.round_end_date < units.valid_to)
where
    results.dimension = 'tillid'
    and results.delta < 0
order by results.delta, results.org_unit_code;
