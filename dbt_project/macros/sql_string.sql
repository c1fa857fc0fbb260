{#- A value as a SQL string literal: its single quotes doubled, so no value can end the literal
    (the pipeline also checks the run id's characters; this holds for a hand-run build too). -#}
{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}
