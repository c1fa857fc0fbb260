{#- Own-illness (`egen sygdom`) absence workdays of each unit's employees per month and tree
    epoch. A spell's workdays are spread evenly over its Monday–Friday dates; each piece of the
    spell (cut by the employee's unit intervals and by month segments) gets the share of the
    spell's weekdays that fall in it, and belongs to the unit the employee had on those days. A
    spell without weekdays is one piece on its start date carrying all its workdays. -#}
with

spells as (
    select * from {{ ref('int_absence_spells') }}
),

intervals as (
    select * from {{ ref('int_employee_intervals') }}
),

segments as (
    select * from {{ ref('int_hr_month_segments') }}
),

covered as (
    select
        min(segment_start) as first_day,
        max(segment_end) as last_day
    from segments
),

sick_spells as (
    select spells.*
    from spells
    cross join covered
    where
        spells.absence_type = 'egen sygdom'
        and spells.start_date <= covered.last_day
        and spells.counted_to >= covered.first_day
),

with_unit as (
    select
        sick_spells.absence_id,
        sick_spells.workdays,
        sick_spells.weekdays,
        sick_spells.is_long_term,
        intervals.org_unit_code,
        greatest(sick_spells.start_date, intervals.valid_from) as piece_from,
        least(sick_spells.counted_to, intervals.valid_to) as piece_to
    from sick_spells
    inner join intervals
        on
            sick_spells.employee_id = intervals.employee_id
            and sick_spells.start_date <= intervals.valid_to
            and sick_spells.counted_to >= intervals.valid_from
),

by_month as (
    select
        with_unit.*,
        month_start::date as month_start
    from with_unit
    cross join
        lateral generate_series(
            date_trunc('month', with_unit.piece_from), with_unit.piece_to, interval '1 month'
        ) as month_start
),

pieces as (
    select
        by_month.org_unit_code,
        segments.month_start,
        segments.epoch_start,
        by_month.is_long_term,
        by_month.workdays,
        by_month.weekdays,
        greatest(by_month.piece_from, segments.segment_start) as piece_from,
        least(by_month.piece_to, segments.segment_end) as piece_to
    from by_month
    inner join segments
        on
            by_month.month_start = segments.month_start
            and by_month.piece_from <= segments.segment_end
            and by_month.piece_to >= segments.segment_start
),

shared as (
    select
        org_unit_code,
        month_start,
        epoch_start,
        is_long_term,
        case
            when weekdays = 0 then workdays
            else
                workdays * {{ weekdays_between('piece_from', 'piece_to') }} / weekdays
        end as sick_days
    from pieces
),

final as (
    select
        org_unit_code,
        month_start,
        epoch_start,
        sum(sick_days) as sick_days,
        coalesce(sum(sick_days) filter (where is_long_term), 0) as long_term_sick_days
    from shared
    group by org_unit_code, month_start, epoch_start
)

select * from final
