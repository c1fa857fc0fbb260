{#- Roll per-unit MTU sums up to every ancestor of the round's tree: a unit's figure covers its
    whole subtree (indicators.md). `per_unit` is a relation keyed by survey_id, org_unit_code and
    `keys`; each column of `sums` is summed over the subtree. The calling model must have the
    `round_closure` CTE (int_mtu_round_closure: unit → ancestors as the tree stood at round end).
    A model that numbers its rounds and units names its own closure relation and its columns
    (`closure`, `survey`, `unit`, `ancestor`); the result's columns are then named `survey` and
    `unit`. -#}
-- noqa: disable=LT02
{#- sqlfluff cannot place the Jinja loops of a macro body; the models that call it are linted. -#}
{% macro mtu_subtree_sums(
    per_unit, keys, sums,
    closure='round_closure', survey='survey_id', unit='org_unit_code', ancestor='ancestor_code'
) -%}
    select
        {% for key in keys -%}
            {{ per_unit }}.{{ key }},
        {% endfor -%}
        {% for column in sums -%}
            sum({{ per_unit }}.{{ column }}) as {{ column }},
        {% endfor -%}
        {{ closure }}.{{ survey }},
        {{ closure }}.{{ ancestor }} as {{ unit }}
    from {{ per_unit }}
    inner join {{ closure }}
        on
            {{ per_unit }}.{{ survey }} = {{ closure }}.{{ survey }}
            and {{ per_unit }}.{{ unit }} = {{ closure }}.{{ unit }}
    group by
        {% for key in keys -%}
            {{ per_unit }}.{{ key }},
        {% endfor -%}
        {{ closure }}.{{ survey }},
        {{ closure }}.{{ ancestor }}
{%- endmacro %}
