-- The institution's scorecard over the last four quarters.
-- (Institutionens scorecard de seneste fire kvartaler.)
-- Headline indicators of the root units (org_level 1), one row per quarter, newest first.
select
    org_unit_code,
    org_unit_name,
    period_end,
    n_employees,
    round(sick_days_per_fte_12m, 2) as sick_days_per_fte_12m,
    round(turnover_pct_12m, 1) as turnover_pct_12m,
    round(trust_index, 1) as trust_index,
    round(enps, 1) as enps,
    round(response_rate_pct, 1) as response_rate_pct,
    apv_open_findings,
    committee_meetings_12m,
    mtu_followed_up
from marts.culture_scorecard
where
    org_level = 1
    and period_end > (select max(period_end) - interval '1 year' from marts.culture_scorecard)
order by org_unit_code, period_end desc;
