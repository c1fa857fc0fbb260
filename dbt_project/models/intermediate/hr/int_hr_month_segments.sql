{#- The calendar months HR figures are kept for (every month of every scorecard period's 12-month
    window), cut where the org tree changes: within a segment both the month and the tree are
    constant, so facts summed per unit and segment roll up through one tree. -#}
with

periods as (
    select * from {{ ref('int_scorecard_periods') }}
),

epochs as (
    select * from {{ ref('int_org_tree_epochs') }}
),

bounds as (
    select
        date_trunc('month', min(window_12m_start))::date as first_month,
        max(period_end) as last_day
    from periods
),

months as (
    select
        series.month_start::date as month_start,
        (series.month_start + interval '1 month' - interval '1 day')::date as month_end
    from bounds
    cross join
        lateral generate_series(
            bounds.first_month, bounds.last_day, interval '1 month'
        ) as series (month_start)
),

segments as (
    select
        months.month_start,
        months.month_end,
        epochs.epoch_start,
        greatest(months.month_start, epochs.epoch_start) as segment_start,
        least(months.month_end, epochs.epoch_end - 1) as segment_end
    from months
    inner join epochs
        on
            months.month_end >= epochs.epoch_start
            and months.month_start < epochs.epoch_end
),

final as (
    select * from segments
)

select * from final
