{#- The two ways a source's freshness is read (each source's loaded_at_query calls one).

    freshness_by_extract_date: the latest extract date among the files of a source (and entity)
    visible on the night, from the ledger; a `duplicate` (the same bytes delivered again under a
    later date) counts, because it confirms the data as of its own extract date.

    freshness_by_loaded_rows: the latest date a loaded file's rows carry (`day`, an expression
    over the table's row `r`), among rows dated on or before the night, or `within` when the
    night's cut is written otherwise. -#}

{% macro freshness_by_extract_date(source_name, entity=none) -%}
    select cast(max(extract_date) as timestamp) at time zone 'UTC'
    from audit.load_ledger
    where
        source = '{{ source_name }}'
        and {% if entity %}entity = '{{ entity }}'{% else %}true{% endif %}
        and status in ('loaded', 'duplicate')
        and extract_date <= cast('{{ var("as_of") }}' as date)
{%- endmacro %}

{% macro freshness_by_loaded_rows(table, day, within=none) -%}
    select cast(max({{ day }}) as timestamp) at time zone 'UTC'
    from {{ table }} as r
    inner join audit.load_ledger as l on r._load_id = l.load_id
    where
        l.status = 'loaded'
        and {{ within if within else day ~ " <= cast('" ~ var("as_of") ~ "' as date)" }}
{%- endmacro %}
