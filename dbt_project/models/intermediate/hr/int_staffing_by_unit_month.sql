{#- Headcount-days and FTE-days of each unit's own employees per month and tree epoch: the
    numerators of average headcount and FTE-years. Each unit's staffing is a step function that
    only changes where an interval starts or ends, so the intervals become +/− changes, the
    running sum gives the level between two changes, and each level is multiplied by the days it
    holds in each month segment. Cost follows the number of intervals, not employees × days. -#}
{#- Rebuilt only on a night its inputs or the scorecard's periods changed
    (macros/incremental_inputs.sql). -#}
{{ incremental_inputs_config(['hr/employees', 'hr/org_units'], periods=true) }}

with

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

clipped as (
    select
        intervals.org_unit_code,
        greatest(intervals.valid_from, covered.first_day) as valid_from,
        least(intervals.valid_to, covered.last_day) as valid_to,
        {#- A blank fte is unknown: the day counts in headcount but adds nothing to FTE-years. -#}
        coalesce(intervals.fte, 0) as fte
    from intervals
    cross join covered
    where
        intervals.valid_from <= covered.last_day
        and intervals.valid_to >= covered.first_day
),

changes as (
    select
        org_unit_code,
        valid_from as change_date,
        1 as headcount_change,
        fte as fte_change
    from clipped
    union all
    select
        org_unit_code,
        valid_to + 1 as change_date,
        -1 as headcount_change,
        -fte as fte_change
    from clipped
),

net_changes as (
    select
        org_unit_code,
        change_date,
        sum(headcount_change) as headcount_change,
        sum(fte_change) as fte_change
    from changes
    group by org_unit_code, change_date
),

levels as (
    select
        org_unit_code,
        change_date as level_from,
        lead(change_date) over unit_changes - 1 as level_to,
        sum(headcount_change) over unit_changes as headcount,
        sum(fte_change) over unit_changes as fte
    from net_changes
    window unit_changes as (partition by org_unit_code order by change_date)
),

level_months as (
    select
        levels.org_unit_code,
        levels.level_from,
        levels.level_to,
        levels.headcount,
        levels.fte,
        month_start::date as month_start
    from levels
    cross join
        lateral generate_series(
            date_trunc('month', levels.level_from), levels.level_to, interval '1 month'
        ) as month_start
    where levels.headcount > 0
),

level_segments as (
    select
        level_months.org_unit_code,
        segments.month_start,
        segments.epoch_start,
        level_months.headcount,
        level_months.fte,
        least(level_months.level_to, segments.segment_end)
        - greatest(level_months.level_from, segments.segment_start) + 1 as days
    from level_months
    inner join segments
        on
            level_months.month_start = segments.month_start
            and level_months.level_from <= segments.segment_end
            and level_months.level_to >= segments.segment_start
),

staffed_days as (
    select
        org_unit_code,
        month_start,
        epoch_start,
        sum(days * headcount) as headcount_days,
        sum(days * fte) as fte_days
    from level_segments
    group by org_unit_code, month_start, epoch_start
),

final as (
    select * from staffed_days
)

select * from final
{{ only_if_inputs_changed() }}
