{#- The absence spells that stand tonight. The feed is a delta: each record replaces the earlier
    ones of its absence_id when its last_modified is later (on a tie, the later extract, then the
    later file and line), and a standing record with deleted = true retracts the spell. An
    ongoing spell (blank end date) runs to the as-of date. -#}
with

deliveries as (
    select * from {{ ref('stg_hr__absence') }}
),

standing as (
    select distinct on (absence_id) *
    from deliveries
    order by
        absence_id asc,
        last_modified_at desc,
        extract_date desc,
        load_id desc,
        line_number desc
),

spells as (
    select
        absence_id,
        employee_id,
        absence_type,
        start_date,
        end_date,
        end_date is null as is_ongoing,
        coalesce(end_date, greatest({{ as_of_date() }}, start_date)) as spell_end,
        workdays,
        last_modified_at,
        extract_date
    from standing
    where not is_deleted
),

counted as (
    select
        *,
        spell_end - start_date + 1 as calendar_days,
        {{ weekdays_between('start_date', 'spell_end') }} as weekdays
    from spells
),

final as (
    select
        absence_id,
        employee_id,
        absence_type,
        start_date,
        end_date,
        is_ongoing,
        spell_end,
        calendar_days,
        {#- The state's definition of long-term absence. -#}
        calendar_days > 30 as is_long_term,
        workdays,
        weekdays,
        {#- A spell with no weekday counts in full on its start date, so its days are spread over
            that one date instead of over its weekdays. -#}
        case when weekdays = 0 then start_date else spell_end end as counted_to,
        last_modified_at,
        extract_date
    from counted
)

select * from final
