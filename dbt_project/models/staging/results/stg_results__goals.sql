{#- Goals of every visible year's plan. A later year's file replacing a year is handled by the
    ledger; a goal_id that appears in two years' files keeps its latest file's row, because the
    contract keys goals by goal_id alone. -#}
with

goals as (
    select * from {{ source('raw_results', 'results_goals') }}
),

loaded_files as (
    select * from {{ ref('stg_audit__loaded_files') }}
),

latest_delivery as (
    select distinct on (goals.goal_id)
        goals.goal_id,
        loaded_files.extract_date,
        goals.org_unit_code,
        goals.year as goal_year,
        goals.title,
        goals.target_value,
        goals.actual_value,
        goals.unit,
        lower(goals.achieved) as achieved,
        goals.assessed_on
    from goals
    inner join loaded_files on goals._load_id = loaded_files.load_id
    order by goals.goal_id asc, loaded_files.extract_date desc, goals._load_id desc, goals._line desc
),

final as (
    select * from latest_delivery
)

select * from final
