{#- The night's as-of date as a SQL date literal. -#}
{% macro as_of_date() -%}
    cast({{ sql_string(var("as_of")) }} as date)
{%- endmacro %}

{#- Open-ended validity is stored as this date so interval joins need no null handling. -#}
{% macro end_of_time() -%}
    cast('9999-12-31' as date)
{%- endmacro %}

{#- Facts before any snapshot take the first snapshot's attributes (contracts/hr.md). -#}
{% macro start_of_time() -%}
    cast('1900-01-01' as date)
{%- endmacro %}
