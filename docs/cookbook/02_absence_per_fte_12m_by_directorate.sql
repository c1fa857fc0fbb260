-- Absence per FTE over the last 12 months, by directorate.
-- (Sygefravær pr. årsværk de seneste 12 måneder pr. direktoratsområde/afdeling.)
-- The directorates are the units one level below the institution (org_level 2). The figure is
-- the scorecard's: own-illness workdays in the 12 months to the latest quarter end ÷ FTE-years,
-- NULL where suppressed. The sum of the monthly marts gives the same only when no month is
-- suppressed, so the 12-month figure is taken as published.
with latest as (
    select max(period_end) as period_end
    from marts.culture_scorecard
)

select
    scorecard.org_unit_code,
    scorecard.org_unit_name,
    scorecard.period_end,
    scorecard.n_employees,
    round(scorecard.sick_days_per_fte_12m, 2) as sick_days_per_fte_12m,
    round(scorecard.long_term_sick_share_12m, 1) as long_term_sick_share_pct,
    scorecard.absence_suppressed
from marts.culture_scorecard as scorecard
inner join latest on scorecard.period_end = latest.period_end
where scorecard.org_level = 2
order by scorecard.sick_days_per_fte_12m desc nulls last, scorecard.org_unit_code;
