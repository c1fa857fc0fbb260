{#- The org tree only changes on snapshot extract dates, so history is a list of epochs:
    [epoch_start, epoch_end) between consecutive snapshots; the first reaches back in time. -#}
with

snapshots as (
    select distinct extract_date from {{ ref('stg_hr__org_units') }}
),

epochs as (
    select
        case
            when row_number() over (order by extract_date) = 1 then {{ start_of_time() }}
            else extract_date
        end as epoch_start,
        extract_date as snapshot_date,
        coalesce(
            lead(extract_date) over (order by extract_date), {{ end_of_time() }}
        ) as epoch_end
    from snapshots
),

final as (
    select * from epochs
)

select * from final
