{#- One row per version of an org unit: a new version starts when its name, parent, type,
    institution, level or path changes (a move of an ancestor changes the path too). -#}
with

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

fingerprinted as (
    select
        *,
        md5(
            concat_ws(
                '|', org_unit_name, parent_code, institution_code, unit_type, org_level, org_path
            )
        ) as attributes_hash
    from paths
),

changes as (
    select
        *,
        case
            when
                lag(epoch_end) over (partition by org_unit_code order by epoch_start) = epoch_start
                and lag(attributes_hash) over (
                    partition by org_unit_code order by epoch_start
                ) = attributes_hash
                then 0
            else 1
        end as starts_version
    from fingerprinted
),

numbered as (
    select
        *,
        sum(starts_version) over (
            partition by org_unit_code order by epoch_start
        ) as version_number
    from changes
),

versions as (
    select
        org_unit_code,
        version_number,
        min(epoch_start) as valid_from,
        max(epoch_end) as valid_to_exclusive,
        min(org_unit_name) as org_unit_name,
        min(parent_code) as parent_code,
        min(institution_code) as institution_code,
        min(unit_type) as unit_type,
        min(org_level) as org_level,
        min(org_path) as org_path
    from numbered
    group by org_unit_code, version_number
),

final as (
    select
        org_unit_code || '@' || to_char(valid_from, 'YYYY-MM-DD') as org_unit_version_id,
        org_unit_code,
        org_unit_name,
        parent_code,
        institution_code,
        unit_type,
        org_level,
        org_path,
        valid_from,
        nullif(valid_to_exclusive, {{ end_of_time() }}) as valid_to,
        valid_to_exclusive = {{ end_of_time() }} as is_current
    from versions
)

select * from final
