{#- The HR indicators of the scorecard per unit and period end, over the unit's whole subtree,
    that read no absence: average headcount and FTE-years, whether absence is suppressed (rules 2
    and 3 on the 12-month average headcount), turnover, development dialogues, competence hours,
    mobility and PULS. Every fact counts in the unit its employee had on the fact's date, rolled
    up through the tree as it stood on that date. int_scorecard_hr adds the absence figures. -#}
{#- Rebuilt only on a night its inputs or the scorecard's periods changed
    (macros/incremental_inputs.sql). -#}
{{ incremental_inputs_config(
    ['hr/employees', 'hr/org_units', 'hr/competence', 'hr/mobility', 'hr/performance', 'hr/mus'],
    periods=true
) }}

with

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

subtree_months as (
    select * from {{ ref('int_hr_subtree_months_without_absence') }}
),

events as not materialized (
    {#- Read where each use needs it (terminations and moves, reviews): not copied once whole. -#}
    select * from {{ ref('int_employee_events') }}
),

intervals as (
    select * from {{ ref('int_employee_intervals') }}
),

dialogues as (
    select * from {{ ref('stg_hr__mus') }}
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

epochs as (
    select * from {{ ref('int_org_tree_epochs') }}
),

period_epochs as (
    {#- The tree epoch of each period end, so facts dated on the period end join the tree on
        (unit, epoch) equality instead of a date range. -#}
    select
        periods.period_end,
        periods.window_12m_start,
        epochs.epoch_start
    from periods
    inner join epochs
        on
            periods.period_end >= epochs.epoch_start
            and periods.period_end < epochs.epoch_end
),

units_at_end as (
    {#- The parent as the tree stood at period end; a unit whose parent was missing then is a
        root, so the parent is taken from the walked path, not from parent_code. -#}
    select
        paths.org_unit_code,
        {{ parent_at_date('paths') }} as parent_code,
        period_epochs.period_end,
        period_epochs.window_12m_start,
        period_epochs.period_end - period_epochs.window_12m_start + 1 as window_days
    from period_epochs
    inner join paths on period_epochs.epoch_start = paths.epoch_start
),

windows as (
    select
        units_at_end.org_unit_code,
        units_at_end.parent_code,
        units_at_end.period_end,
        coalesce(sum(subtree_months.headcount_days), 0)::numeric
        / units_at_end.window_days as avg_headcount_12m,
        coalesce(sum(subtree_months.fte_days), 0) / 365.25 as fte_years_12m,
        coalesce(sum(subtree_months.competence_hours), 0) as competence_hours_12m
    from units_at_end
    left join subtree_months
        on
            units_at_end.org_unit_code = subtree_months.org_unit_code
            and subtree_months.month_start between units_at_end.window_12m_start and units_at_end.period_end
    group by
        units_at_end.org_unit_code,
        units_at_end.parent_code,
        units_at_end.period_end,
        units_at_end.window_days
),

absence_groups as (
    select
        {{ suppression_groups(
            partition_key="'absence_12m|' || to_char(period_end, 'YYYY-MM-DD')",
            group_key='org_unit_code',
            parent_key='parent_code',
            sort_key='org_unit_code',
            size='avg_headcount_12m'
        ) }} as groups
    from windows
),

absence_suppression as (
    select
        suppression.partition_key,
        suppression.group_key,
        suppression.suppressed
    from absence_groups
    cross join
        lateral culture_fn.suppress_small_groups_array(
            absence_groups.groups, {{ var('min_group_size') }}
        ) as suppression
),

event_windows as (
    select
        periods.period_end,
        closure.ancestor_code as org_unit_code,
        events.event_type,
        events.employee_id,
        events.is_voluntary
    from events
    inner join periods
        on events.event_date between periods.window_12m_start and periods.period_end
    inner join closure
        on
            events.org_unit_code = closure.org_unit_code
            and events.epoch_start = closure.epoch_start
    where events.event_type in ('termination', 'mobility')
),

distinct_employees as (
    select
        org_unit_code,
        period_end,
        count(distinct employee_id) filter (where event_type = 'termination') as leavers_12m,
        count(distinct employee_id) filter (
            where event_type = 'termination' and is_voluntary
        ) as voluntary_leavers_12m,
        count(distinct employee_id) filter (where event_type = 'mobility') as movers_12m
    from event_windows
    group by org_unit_code, period_end
),

dialogue_eligible as not materialized (
    {#- Employed at period end in a spell that began at least 12 months before it; counted in
        the unit the employee belongs to at period end. -#}
    select
        period_epochs.period_end,
        period_epochs.window_12m_start,
        period_epochs.epoch_start,
        intervals.org_unit_code,
        intervals.employee_id
    from period_epochs
    inner join intervals
        on period_epochs.period_end between intervals.valid_from and intervals.valid_to
    where intervals.hire_date <= (period_epochs.period_end - interval '12 months')::date
),

development_dialogues as (
    select
        employee_id,
        held_on
    from dialogues
    where dialogue_type in ('MUS', 'LUS')
),

eligible_by_unit as (
    select
        period_end,
        epoch_start,
        org_unit_code,
        count(*) as eligible
    from dialogue_eligible
    group by period_end, epoch_start, org_unit_code
),

with_dialogue_by_unit as (
    {#- A semi-join: each eligible employee probes only their own few dialogues. -#}
    select
        period_end,
        epoch_start,
        org_unit_code,
        count(*) as with_dialogue
    from dialogue_eligible
    where
        exists (
            select 1
            from development_dialogues
            where
                development_dialogues.employee_id = dialogue_eligible.employee_id
                and development_dialogues.held_on
                between dialogue_eligible.window_12m_start and dialogue_eligible.period_end
        )
    group by period_end, epoch_start, org_unit_code
),

dialogues_rolled_up as (
    select
        closure.ancestor_code as org_unit_code,
        eligible_by_unit.period_end,
        sum(eligible_by_unit.eligible) as eligible,
        coalesce(sum(with_dialogue_by_unit.with_dialogue), 0) as with_dialogue
    from eligible_by_unit
    left join with_dialogue_by_unit
        on
            eligible_by_unit.period_end = with_dialogue_by_unit.period_end
            and eligible_by_unit.org_unit_code = with_dialogue_by_unit.org_unit_code
    inner join closure
        on
            eligible_by_unit.org_unit_code = closure.org_unit_code
            and eligible_by_unit.epoch_start = closure.epoch_start
    group by closure.ancestor_code, eligible_by_unit.period_end
),

reviews_by_period as (
    select
        closure.ancestor_code as org_unit_code,
        events.review_period,
        count(*) as reviews,
        count(*) filter (where events.rating >= 3) as reviews_meeting
    from events
    inner join closure
        on
            events.org_unit_code = closure.org_unit_code
            and events.epoch_start = closure.epoch_start
    where events.event_type = 'review'
    group by closure.ancestor_code, events.review_period
),

review_years as (
    select distinct review_period
    from events
    where event_type = 'review'
),

period_review_years as (
    {#- One review period per period end for the whole institution: the latest year that had
        ended (31 December) on or before the period end. -#}
    select
        periods.period_end,
        max(review_years.review_period) as review_period
    from periods
    inner join review_years
        on make_date(review_years.review_period, 12, 31) <= periods.period_end
    group by periods.period_end
),

latest_reviews as (
    select
        reviews_by_period.org_unit_code,
        period_review_years.period_end,
        reviews_by_period.reviews,
        reviews_by_period.reviews_meeting
    from period_review_years
    inner join reviews_by_period
        on period_review_years.review_period = reviews_by_period.review_period
),

indicators as (
    select
        windows.org_unit_code,
        windows.period_end,
        windows.avg_headcount_12m,
        windows.fte_years_12m,
        absence_suppression.suppressed as absence_suppressed,
        100 * coalesce(distinct_employees.leavers_12m, 0)
        / nullif(windows.avg_headcount_12m, 0) as turnover_pct_12m,
        100 * coalesce(distinct_employees.voluntary_leavers_12m, 0)
        / nullif(windows.avg_headcount_12m, 0) as voluntary_turnover_pct_12m,
        100.0 * dialogues_rolled_up.with_dialogue
        / nullif(dialogues_rolled_up.eligible, 0) as mus_completion_pct,
        windows.competence_hours_12m / nullif(windows.fte_years_12m, 0) as competence_hours_per_fte_12m,
        100 * coalesce(distinct_employees.movers_12m, 0)
        / nullif(windows.avg_headcount_12m, 0) as internal_mobility_pct_12m,
        100.0 * latest_reviews.reviews_meeting / latest_reviews.reviews as puls_meets_pct
    from windows
    inner join absence_suppression
        on
            absence_suppression.partition_key = 'absence_12m|' || to_char(windows.period_end, 'YYYY-MM-DD')
            and windows.org_unit_code = absence_suppression.group_key
    left join distinct_employees
        on
            windows.org_unit_code = distinct_employees.org_unit_code
            and windows.period_end = distinct_employees.period_end
    left join dialogues_rolled_up
        on
            windows.org_unit_code = dialogues_rolled_up.org_unit_code
            and windows.period_end = dialogues_rolled_up.period_end
    left join latest_reviews
        on
            windows.org_unit_code = latest_reviews.org_unit_code
            and windows.period_end = latest_reviews.period_end
),

final as (
    select * from indicators
)

select * from final
{{ only_if_inputs_changed() }}
