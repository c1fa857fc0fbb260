-- The ten questions with the lowest scores in the latest MTU round, for the whole institution.
-- (De ti spørgsmål med lavest score i seneste MTU-runde for hele institutionen.)
select
    questions.survey_id,
    questions.question_code,
    questions.dimension,
    questions.question_text_da,
    questions.n_respondents,
    round(questions.score, 1) as score,
    round(questions.favourable_pct, 1) as favourable_pct,
    round(questions.delta, 1) as change_since_previous_round
from marts.mtu_question_results as questions
inner join marts.dim_org_unit as units
    on
        questions.org_unit_code = units.org_unit_code
        and units.is_current
where
    units.org_level = 1
    and questions.round_end_date = (select max(round_end_date) from marts.mtu_question_results)
    and not questions.suppressed
order by questions.score, questions.question_code
limit 10;
