{#- One row per meeting, placed on the org unit as the tree stood on the meeting date, with its
    agenda counted. A header with only the unit's name is matched to the one unit of that name
    (case-insensitive) that day; a meeting whose unit is not found that day keeps a null unit and
    is left out of every indicator. Of several documents for the same committee, unit and date
    the last loaded one counts: a later document replaces the meeting (landing.md). -#}
with

meetings as (
    select * from {{ ref('stg_minutes__meetings') }}
),

items as (
    select * from {{ ref('stg_minutes__agenda_items') }}
),

paths as (
    select * from {{ ref('int_org_unit_paths') }}
),

by_code as (
    select
        meetings.meeting_id,
        paths.org_unit_code
    from meetings
    inner join paths
        on
            meetings.org_unit_code = paths.org_unit_code
            and meetings.meeting_date >= paths.epoch_start
            and meetings.meeting_date < paths.epoch_end
),

by_name as (
    {#- Case-insensitive (lower() alone leaves Æ, Ø and Å alone in a database with the C
        locale), and only when one unit had the name that day: two units of the same name leave
        the header ambiguous. -#}
    select
        meetings.meeting_id,
        min(paths.org_unit_code) as org_unit_code
    from meetings
    inner join paths
        on
            lower(translate(trim(meetings.org_unit_name), 'ÆØÅ', 'æøå'))
            = lower(translate(trim(paths.org_unit_name), 'ÆØÅ', 'æøå'))
            and meetings.meeting_date >= paths.epoch_start
            and meetings.meeting_date < paths.epoch_end
    where meetings.org_unit_code is null
    group by meetings.meeting_id
    having count(distinct paths.org_unit_code) = 1
),

agendas as (
    select
        meeting_id,
        count(*) as n_items,
        {#- The culture topics of culture_agenda_share_12m (indicators.md, "Cooperation"). -#}
        count(*) filter (
            where topics && array[
                'mtu', 'apv', 'trivsel', 'sygefravaer', 'arbejdsmiljoe', 'kompetenceudvikling',
                'tillid', 'anerkendelse', 'samarbejde'
            ]::text[]
        ) as n_culture_items,
        count(*) filter (where 'mtu' = any(topics)) as n_mtu_items
    from items
    group by meeting_id
),

placed as (
    select
        meetings.meeting_id,
        meetings.committee_type,
        coalesce(by_code.org_unit_code, by_name.org_unit_code) as org_unit_code,
        meetings.org_unit_code as delivered_org_unit_code,
        meetings.org_unit_name as delivered_org_unit_name,
        meetings.meeting_date,
        meetings.n_present,
        meetings.n_absent,
        coalesce(agendas.n_items, 0) as n_items,
        coalesce(agendas.n_culture_items, 0) as n_culture_items,
        coalesce(agendas.n_mtu_items, 0) as n_mtu_items
    from meetings
    left join by_code on meetings.meeting_id = by_code.meeting_id
    left join by_name on meetings.meeting_id = by_name.meeting_id
    left join agendas on meetings.meeting_id = agendas.meeting_id
),

latest_document as (
    select
        *,
        row_number() over (
            partition by
                committee_type,
                coalesce(org_unit_code, delivered_org_unit_code, delivered_org_unit_name),
                meeting_date
            order by meeting_id desc
        ) as document_rank
    from placed
),

final as (
    select
        meeting_id,
        committee_type,
        org_unit_code,
        delivered_org_unit_code,
        delivered_org_unit_name,
        meeting_date,
        n_present,
        n_absent,
        n_items,
        n_culture_items,
        n_mtu_items
    from latest_document
    where document_rank = 1
)

select * from final
