{#- The APV register's status history: every finding in every snapshot, beside the status it had
    in its previous snapshot. Full snapshots are the only record of a status change (landing.md),
    so a change is dated by the first snapshot that shows it. -#}
with

findings as (
    select * from {{ ref('stg_apv__findings') }}
),

with_previous as (
    select
        *,
        lag(status) over (partition by finding_id order by snapshot_date) as previous_status
    from findings
),

status_runs as (
    select
        *,
        {#- A run is consecutive snapshots with the same status; a reopened finding starts a new one. -#}
        count(*) filter (where previous_status is distinct from status) over (
            partition by finding_id order by snapshot_date
        ) as status_run
    from with_previous
),

final as (
    select
        snapshot_date,
        finding_id,
        apv_round,
        org_unit_code,
        category,
        severity,
        severity_level,
        responsible_role,
        identified_on,
        due_date,
        status,
        is_closed,
        closed_on,
        previous_status,
        min(snapshot_date) over (partition by finding_id, status_run) as status_since,
        coalesce(previous_status = 'lukket', false) and not is_closed as is_reopened,
        not is_closed and due_date < snapshot_date as is_overdue
    from status_runs
)

select * from final
