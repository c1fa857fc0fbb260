-- Committee meetings, attendance and culture topics over the last 12 months, per committee type.
-- (Udvalgsmøder, fremmøde og kulturemner de seneste 12 måneder pr. udvalgstype.)
-- For the root units; committee_activity covers each unit's own committees and those below it.
select
    activity.org_unit_code,
    activity.committee_type,
    sum(activity.meetings) as meetings,
    round(100.0 * sum(activity.present) / nullif(sum(activity.present) + sum(activity.absent), 0), 1)
        as attendance_pct,
    sum(activity.culture_topic_items) as culture_topic_items,
    sum(activity.agenda_items) as agenda_items
from marts.committee_activity as activity
inner join marts.dim_org_unit as units
    on
        activity.org_unit_code = units.org_unit_code
        and units.is_current
where
    units.org_level = 1
    and activity.month_start > (select max(period_end) - interval '12 months' from marts.culture_scorecard)
group by activity.org_unit_code, activity.committee_type
order by activity.org_unit_code, activity.committee_type;
