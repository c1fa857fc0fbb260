{#- What BI reads about the APV register: each finding's status in each snapshot. The findings'
    free text is not published (see the model's YAML). -#}
with

history as (
    select * from {{ ref('int_apv_finding_history') }}
),

final as (
    select
        finding_id,
        snapshot_date,
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
        status_since,
        is_reopened,
        is_overdue
    from history
)

select * from final
