{#- The scorecard's MTU figures per unit and quarter: those of the latest round of the unit's own
    institution that ended on or before the period end, for the unit as that round saw it, with
    whether they are suppressed and the group's respondents. Suppressed figures are NULL. -#}
{%- set dimensions = [
    'tillid', 'retfaerdighed', 'samarbejde', 'anerkendelse', 'rolleklarhed', 'laering',
    'ledelse', 'trivsel', 'engagement', 'kompetenceudvikling', 'arbejdspres'
] -%}
with

units as (
    select * from {{ ref('int_scorecard_units') }}
),

unit_results as (
    select * from {{ ref('int_mtu_unit_results') }}
),

dimension_results as (
    select * from {{ ref('int_mtu_dimension_results') }}
),

unit_rounds as (
    select * from {{ ref('int_scorecard_unit_rounds') }}
),

dimension_columns as (
    select
        survey_id,
        org_unit_code,
    {%- for dimension in dimensions %}
        max(score) filter (where dimension = '{{ dimension }}') as {{ dimension }}_score,
        max(favourable_pct) filter (
            where dimension = '{{ dimension }}'
        ) as {{ dimension }}_favourable_pct,
        max(delta) filter (where dimension = '{{ dimension }}') as {{ dimension }}_delta
        {{- "," if not loop.last }}
    {%- endfor %}
    from dimension_results
    group by survey_id, org_unit_code
),

scorecard_mtu as (
    select
        units.org_unit_code,
        units.period_end,
        unit_rounds.survey_id as mtu_survey_id,
        unit_results.suppressed as mtu_suppressed,
        unit_results.n_respondents as mtu_n_respondents,
        unit_results.trust_index,
        unit_results.social_capital_index,
        unit_results.enps,
        unit_results.response_rate_pct,
    {%- for dimension in dimensions %}
        dimension_columns.{{ dimension }}_score,
        dimension_columns.{{ dimension }}_favourable_pct,
        dimension_columns.{{ dimension }}_delta
        {{- "," if not loop.last }}
    {%- endfor %}
    from units
    left join unit_rounds
        on
            units.org_unit_code = unit_rounds.org_unit_code
            and units.period_end = unit_rounds.period_end
    left join unit_results
        on
            unit_rounds.survey_id = unit_results.survey_id
            and units.org_unit_code = unit_results.org_unit_code
    left join dimension_columns
        on
            unit_rounds.survey_id = dimension_columns.survey_id
            and units.org_unit_code = dimension_columns.org_unit_code
),

final as (
    select * from scorecard_mtu
)

select * from final
