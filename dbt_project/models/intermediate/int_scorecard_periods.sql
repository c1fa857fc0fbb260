{#- The scorecard's calendar quarters: the last var('scorecard_quarters') quarters that ended
    on or before the as-of date. -#}
with

last_complete as (
    select
        (
            date_trunc('quarter', {{ as_of_date() }} + 1) - interval '1 day'
        )::date as as_of_quarter_end
),

quarters as (
    select
        (
            date_trunc('quarter', last_complete.as_of_quarter_end)
            - make_interval(months => 3 * step)
        )::date as period_start
    from last_complete
    cross join generate_series(0, {{ var('scorecard_quarters') }} - 1) as step
),

final as (
    select
        period_start,
        (period_start + interval '3 months' - interval '1 day')::date as period_end,
        (period_start + interval '3 months' - interval '12 months')::date as window_12m_start
    from quarters
)

select * from final
