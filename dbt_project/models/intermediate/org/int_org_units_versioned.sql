{#- Each unit as it stood in each tree epoch. A unit first seen in a later snapshot takes
    that snapshot's attributes back to the start of time; a unit missing from a later snapshot
    is closed on that snapshot's extract date (its epoch simply has no row). -#}
with

org_units as (
    select * from {{ ref('stg_hr__org_units') }}
),

epochs as (
    select * from {{ ref('int_org_tree_epochs') }}
),

first_seen as (
    select
        org_unit_code,
        min(extract_date) as first_snapshot
    from org_units
    group by org_unit_code
),

in_epochs as (
    select
        org_units.org_unit_code,
        org_units.org_unit_name,
        org_units.parent_code,
        org_units.institution_code,
        org_units.unit_type,
        org_units.manager_employee_id,
        epochs.epoch_end,
        case
            when org_units.extract_date = first_seen.first_snapshot then {{ start_of_time() }}
            else epochs.epoch_start
        end as epoch_start
    from org_units
    inner join epochs on org_units.extract_date = epochs.snapshot_date
    inner join first_seen on org_units.org_unit_code = first_seen.org_unit_code
),

final as (
    select * from in_epochs
)

select * from final
