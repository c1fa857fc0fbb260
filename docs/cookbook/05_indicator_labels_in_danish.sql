-- One unit's latest figures with the catalogue's Danish and English labels (for a report table).
-- (Én enheds seneste tal med katalogets danske og engelske navne.)
-- Unpivots a few scorecard columns and joins marts.indicator_catalog on the column name, so a
-- report can show `Personaleomsætning` next to the figure and whether higher is better.
with latest as (
    select *
    from marts.culture_scorecard
    where
        org_level = 1
        and period_end = (select max(period_end) from marts.culture_scorecard)
),

figures as (
    select
        latest.org_unit_code,
        figure.indicator_code,
        figure.value
    from latest
    cross join lateral (
        values
        ('n_employees', latest.n_employees::numeric),
        ('sick_days_per_fte_12m', latest.sick_days_per_fte_12m),
        ('turnover_pct_12m', latest.turnover_pct_12m),
        ('trust_index', latest.trust_index),
        ('enps', latest.enps),
        ('goal_attainment_pct', latest.goal_attainment_pct)
    ) as figure (indicator_code, value)
)

select
    figures.org_unit_code,
    catalog.indicator_code,
    catalog.label_da,
    catalog.label_en,
    round(figures.value, 1) as value,
    catalog.unit,
    catalog.higher_is_better
from figures
inner join marts.indicator_catalog as catalog on figures.indicator_code = catalog.indicator_code
order by figures.org_unit_code, catalog.indicator_code;
