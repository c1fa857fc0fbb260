-- How fresh is what I read? Which night built each mart, and is any source late?
-- (Hvor friske er tallene? Hvilken nat byggede hver mart, og er en kilde forsinket?)
select
    status.mart,
    status.status,
    status.built_for_night,
    status.held_back_reason,
    (
        select string_agg(freshness.source_table || ' ' || freshness.freshness_status, ', '
            order by freshness.source_table)
        from marts.source_freshness as freshness
        where freshness.freshness_status in ('warn', 'error')
    ) as late_sources
from marts.publication_status as status
order by status.mart;
