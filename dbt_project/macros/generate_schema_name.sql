{#- Custom schemas are used as they are (staging, intermediate, marts), not prefixed with the
    target schema; marts go to var('marts_schema') so a night can build beside the published
    marts and swap them in atomically. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == 'marts' -%}
        {{ var('marts_schema', 'marts') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
