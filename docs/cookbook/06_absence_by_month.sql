-- Sickness absence month by month over the last 12 months, per directorate.
-- (Sygefravær måned for måned de seneste 12 måneder pr. afdeling.)
-- absence_monthly covers each unit's whole subtree; suppressed months are NULL and say so.
select
    absence.org_unit_code,
    units.org_unit_name,
    absence.month_start,
    round(absence.sick_days, 1) as sick_days,
    round(absence.fte_years, 2) as fte_years,
    round(absence.sick_days_per_fte, 3) as sick_days_per_fte,
    absence.suppressed
from marts.absence_monthly as absence
inner join marts.dim_org_unit as units
    on
        absence.org_unit_code = units.org_unit_code
        and absence.month_end >= units.valid_from
        and (units.valid_to is null or absence.month_end < units.valid_to)
where
    units.org_level = 2
    and absence.month_start > (select max(month_start) - interval '12 months' from marts.absence_monthly)
order by absence.org_unit_code, absence.month_start;
