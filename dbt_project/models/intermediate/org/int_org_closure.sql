{#- Unit → every ancestor (itself included) per tree epoch: the join that rolls facts up to the
    whole subtree "as the org tree stood on the date of each fact" (indicators.md). -#}
with

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

closure as (
    select
        paths.epoch_start,
        paths.epoch_end,
        paths.org_unit_code,
        ancestor.ancestor_code,
        paths.org_level - ancestor.ancestor_position as distance
    from paths
    cross join
        lateral
        unnest(paths.ancestors) with ordinality as ancestor (ancestor_code, ancestor_position)
),

final as (
    select * from closure
)

select * from final
