{#- Level and path of every unit in every epoch, walking down from the roots. A unit whose
    parent is missing in that epoch is treated as a root; a cycle stops at depth 20. -#}
with recursive

units as (
    select * from {{ ref('int_org_units_versioned') }}
),

epochs as (
    select * from {{ ref('int_org_tree_epochs') }}
),

unit_epochs as (
    {#- A unit's row from its first snapshot covers earlier epochs too. -#}
    select
        epochs.epoch_start,
        epochs.epoch_end,
        units.org_unit_code,
        units.org_unit_name,
        units.parent_code,
        units.institution_code,
        units.unit_type
    from units
    inner join epochs
        on
            units.epoch_start <= epochs.epoch_start
            and units.epoch_end >= epochs.epoch_end
),

roots as (
    select
        child.epoch_start,
        child.org_unit_code
    from unit_epochs as child
    left join unit_epochs as parent
        on
            child.epoch_start = parent.epoch_start
            and child.parent_code = parent.org_unit_code
    where parent.org_unit_code is null
),

walk as (
    select
        unit_epochs.epoch_start,
        unit_epochs.org_unit_code,
        1 as org_level,
        unit_epochs.org_unit_code::text as org_path,
        array[unit_epochs.org_unit_code::text] as ancestors
    from unit_epochs
    inner join roots
        on
            unit_epochs.epoch_start = roots.epoch_start
            and unit_epochs.org_unit_code = roots.org_unit_code

    union all

    select
        child.epoch_start,
        child.org_unit_code,
        walk.org_level + 1 as org_level,
        walk.org_path || '/' || child.org_unit_code as org_path,
        walk.ancestors || child.org_unit_code::text as ancestors
    from walk
    inner join unit_epochs as child
        on
            walk.epoch_start = child.epoch_start
            and walk.org_unit_code = child.parent_code
    where walk.org_level < 20 and not child.org_unit_code = any(walk.ancestors)
),

final as (
    select
        unit_epochs.epoch_start,
        unit_epochs.epoch_end,
        unit_epochs.org_unit_code,
        unit_epochs.org_unit_name,
        unit_epochs.parent_code,
        unit_epochs.institution_code,
        unit_epochs.unit_type,
        walk.org_level,
        walk.org_path,
        walk.ancestors
    from unit_epochs
    inner join walk
        on
            unit_epochs.epoch_start = walk.epoch_start
            and unit_epochs.org_unit_code = walk.org_unit_code
)

select * from final
