{#- Roll per-unit MTU sums up to every ancestor of the round's tree: a unit's figure covers its
    whole subtree (indicators.md). `per_unit` is a relation keyed by survey_id, org_unit_code and
    `keys`; each column of `sums` is summed over the subtree. The calling model must have the
    `round_closure` CTE (int_mtu_round_closure: unit → ancestors as the tree stood at round end). -#}
-- noqa: disable=LT02
{#- sqlfluff cannot place the Jinja loops of a macro body; the models that call it are linted. -#}
{% macro mtu_subtree_sums(per_unit, keys, sums) -%}
    select
        {% for key in keys -%}
            {{ per_unit }}.{{ key }},
        {% endfor -%}
        {% for column in sums -%}
            sum({{ per_unit }}.{{ column }}) as {{ column }},
        {% endfor -%}
        round_closure.survey_id,
        round_closure.ancestor_code as org_unit_code
    from {{ per_unit }}
    inner join round_closure
        on
            {{ per_unit }}.survey_id = round_closure.survey_id
            and {{ per_unit }}.org_unit_code = round_closure.org_unit_code
    group by
        {% for key in keys -%}
            {{ per_unit }}.{{ key }},
        {% endfor -%}
        round_closure.survey_id,
        round_closure.ancestor_code
{%- endmacro %}
