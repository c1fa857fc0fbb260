{#- The formulas of indicators.md written once: every model that computes one calls its macro. -#}

{#- An MTU item score on a 0-100 scale, from the (already turned) answer on its scale. -#}
{% macro mtu_item_score(value, scale_min, scale_max) -%}
    ({{ value }} - {{ scale_min }}) * 100.0 / ({{ scale_max }} - {{ scale_min }})
{%- endmacro %}

{#- A favourable answer: one of the two best points of the scale. -#}
{% macro mtu_is_favourable(value, scale_max) -%}
    {{ value }} >= {{ scale_max }} - 1
{%- endmacro %}

{#- A score (mean of the scores summed) or favourable share (per cent of the answers counted),
    NULL when the figure is suppressed or has nothing to divide by. -#}
{% macro mtu_score(score_sum, n_scored, suppressed) -%}
    case when not {{ suppressed }} then {{ score_sum }} / nullif({{ n_scored }}, 0) end
{%- endmacro %}

{% macro mtu_favourable_pct(n_favourable, n_answers, suppressed) -%}
    case when not {{ suppressed }} then 100.0 * {{ n_favourable }} / nullif({{ n_answers }}, 0) end
{%- endmacro %}

{#- A unit's parent as the org tree stood at a date, from its row of int_org_unit_paths for that
    date's epoch: taken from the walked path, so a unit whose parent was missing then is a root. -#}
{% macro parent_at_date(paths) -%}
    case when {{ paths }}.org_level > 1 then {{ paths }}.ancestors[{{ paths }}.org_level - 1] end
{%- endmacro %}
