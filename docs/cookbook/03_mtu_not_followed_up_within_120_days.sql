-- MTU rounds not followed up in SU (or MED) within 120 days.
-- (MTU-runder, der ikke er fulgt op i SU/MED inden for 120 dage.)
-- Per unit with respondents in its institution's latest round: no SU or MED meeting of the unit
-- or its subtree took up the topic `mtu` within 120 days after the round's last submission.
-- Only rounds whose 120 days have passed by the latest quarter end are judged.
with latest as (
    select max(period_end) as period_end
    from marts.culture_scorecard
),

rounds as (
    select distinct
        survey_id,
        round_end_date
    from marts.mtu_dimension_results
)

select
    scorecard.org_unit_code,
    scorecard.org_unit_name,
    scorecard.org_level,
    scorecard.mtu_survey_id,
    rounds.round_end_date,
    rounds.round_end_date + 120 as follow_up_due
from marts.culture_scorecard as scorecard
inner join latest on scorecard.period_end = latest.period_end
inner join rounds on scorecard.mtu_survey_id = rounds.survey_id
where
    not scorecard.mtu_followed_up
    and scorecard.mtu_n_respondents > 0
    and rounds.round_end_date + 120 <= scorecard.period_end
order by scorecard.org_level, scorecard.org_unit_code;
