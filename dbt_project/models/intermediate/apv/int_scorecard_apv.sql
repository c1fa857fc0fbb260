{#- APV indicators per unit and period end, from the register as it stood at the period end: its
    latest snapshot on or before it. A unit's figures cover its subtree as the tree stood on each
    fact's date: the period end for the state of findings, the closing date for closed findings.
    Every figure is null for periods before the first snapshot: the register was not known then. -#}
with

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

units as (
    select * from {{ ref('int_scorecard_units') }}
),

history as (
    select * from {{ ref('int_apv_finding_history') }}
),

closure as (
    select * from {{ ref('int_org_closure') }}
),

snapshots as (
    select distinct snapshot_date from history
),

period_snapshots as (
    select
        periods.period_end,
        periods.window_12m_start,
        max(snapshots.snapshot_date) as snapshot_date
    from periods
    inner join snapshots on periods.period_end >= snapshots.snapshot_date
    group by periods.period_end, periods.window_12m_start
),

findings_at_end as (
    select
        period_snapshots.period_end,
        period_snapshots.window_12m_start,
        history.finding_id,
        history.org_unit_code,
        history.identified_on,
        history.due_date,
        history.is_closed,
        history.closed_on
    from period_snapshots
    inner join history on period_snapshots.snapshot_date = history.snapshot_date
),

open_findings as (
    select
        closure.ancestor_code as org_unit_code,
        findings_at_end.period_end,
        count(*) as n_open,
        count(*) filter (where findings_at_end.due_date < findings_at_end.period_end) as n_overdue
    from findings_at_end
    inner join closure
        on
            findings_at_end.org_unit_code = closure.org_unit_code
            and findings_at_end.period_end >= closure.epoch_start
            and findings_at_end.period_end < closure.epoch_end
    where not findings_at_end.is_closed
    group by closure.ancestor_code, findings_at_end.period_end
),

closed_findings as (
    select
        closure.ancestor_code as org_unit_code,
        findings_at_end.period_end,
        percentile_cont(0.5) within group (
            order by findings_at_end.closed_on - findings_at_end.identified_on
        ) as median_days_to_close
    from findings_at_end
    inner join closure
        on
            findings_at_end.org_unit_code = closure.org_unit_code
            and findings_at_end.closed_on >= closure.epoch_start
            and findings_at_end.closed_on < closure.epoch_end
    where
        findings_at_end.is_closed
        and findings_at_end.closed_on between findings_at_end.window_12m_start and findings_at_end.period_end
    group by closure.ancestor_code, findings_at_end.period_end
),

current_apv_units as (
    {#- The units that have a finding identified in the 3 years up to the period end: one row per
        unit and period, so the roll-up below joins on equality keys only. -#}
    select distinct
        period_end,
        org_unit_code
    from findings_at_end
    where
        identified_on >= (period_end - interval '3 years')::date
        and identified_on <= period_end
),

units_with_ancestors as materialized (
    select
        units.org_unit_code,
        units.period_end,
        closure.ancestor_code
    from units
    inner join closure
        on
            units.org_unit_code = closure.org_unit_code
            and units.period_end >= closure.epoch_start
            and units.period_end < closure.epoch_end
),

current_apv as (
    {#- Upwards, not downwards: an APV made for a unit or any unit above it covers the unit. -#}
    select distinct
        units_with_ancestors.org_unit_code,
        units_with_ancestors.period_end
    from units_with_ancestors
    inner join current_apv_units
        on
            units_with_ancestors.period_end = current_apv_units.period_end
            and units_with_ancestors.ancestor_code = current_apv_units.org_unit_code
),

final as (
    select
        units.org_unit_code,
        units.period_end,
        period_snapshots.snapshot_date as apv_snapshot_date,
        case
            when period_snapshots.snapshot_date is not null then coalesce(open_findings.n_open, 0)
        end as apv_open_findings,
        case
            when period_snapshots.snapshot_date is not null then coalesce(open_findings.n_overdue, 0)
        end as apv_overdue_actions,
        closed_findings.median_days_to_close as apv_median_days_to_close_12m,
        case
            when period_snapshots.snapshot_date is not null then current_apv.org_unit_code is not null
        end as apv_is_current
    from units
    left join period_snapshots on units.period_end = period_snapshots.period_end
    left join open_findings
        on
            units.org_unit_code = open_findings.org_unit_code
            and units.period_end = open_findings.period_end
    left join closed_findings
        on
            units.org_unit_code = closed_findings.org_unit_code
            and units.period_end = closed_findings.period_end
    left join current_apv
        on
            units.org_unit_code = current_apv.org_unit_code
            and units.period_end = current_apv.period_end
)

select * from final
