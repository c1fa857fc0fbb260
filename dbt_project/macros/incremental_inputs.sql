{#- A model rebuilt only on a night its inputs changed. Its inputs are the loads it reads,
    named as `source/entity` of the ledger (`hr/employees`); the *inputs signature* hashes the
    visible loads of those entities (stg_audit__loaded_files: loaded, delivered by the as-of
    date) with their extract dates, so a new, corrected, withdrawn or not yet visible file
    changes it (a load's rows never change). A model configured with
    `incremental_inputs_config(inputs)` keeps its rows while the signature is the one it was
    built with (audit.dbt_round_partitions, survey_id '*'): its query, ending in
    `only_if_inputs_changed()`, then ends in `where false`, which PostgreSQL answers without
    reading anything. Otherwise the pre-hook empties the table and the model is built whole.
    Only for a model none of whose ancestors reads another source, or the as-of date other than
    through the visible loads (tests/test_incremental_inputs.py checks this against dbt's
    manifest); k, the code and dbt's version are in the build fingerprint (transform.py),
    which rebuilds everything. A model that follows the scorecard's periods (which follow the
    as-of date) says `periods=true`: the period ends are then part of its signature, so it is
    kept through the nights of a quarter and rebuilt when the next quarter's figures begin. -#}

{% macro incremental_inputs_config(inputs, periods=false) -%}
    {%- set arguments = tojson(inputs) ~ ", " ~ tojson(periods) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        meta={'inputs': inputs, 'periods': periods},
        pre_hook=["{{ drop_if_inputs_changed(" ~ arguments ~ ") }}"],
        post_hook=["{{ record_inputs_signature(" ~ arguments ~ ") }}"],
    ) }}
{%- endmacro %}

{% macro inputs_signature(inputs, periods=false) -%}
    select coalesce(
        md5(string_agg(
            loaded.load_id::text || '@' || coalesce(loaded.extract_date::text, ''),
            ',' order by loaded.load_id
        )),
        'none'
    )
    {%- if periods %} || ' periods ' || (
        select coalesce(string_agg(periods.period_end::text, ',' order by periods.period_end), '')
        from {{ ref('int_scorecard_periods') }} as periods
    ){%- endif %}
    from {{ ref('stg_audit__loaded_files') }} as loaded
    where
        (loaded.source || '/' || loaded.entity)
        in ({% for name in inputs %}{{ sql_string(name) }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{#- True when the model must be built: a full build, or inputs other than those it was built from. -#}
{% macro inputs_changed(inputs, periods=false) -%}
    {%- if is_incremental() -%}
        not exists (
            select 1
            from audit.dbt_round_partitions as built
            where
                built.model = {{ sql_string(this.identifier) }}
                and built.survey_id = '*'
                and built.round_signature = ({{ inputs_signature(inputs, periods) }})
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The model's last line, after `select * from final`: nothing is selected while the inputs
    in the model's config are the ones it was built from. -#}
{% macro only_if_inputs_changed() -%}
    {#- (sqlfluff's stand-in for dbt's config has no get: it lints the model as a full build) #}
    {%- set meta = (config.get('meta') if config.get is defined else none) or {} %}
    /* its inputs: {{ ref('stg_audit__loaded_files') }}
    {%- if meta.get('periods') %}, {{ ref('int_scorecard_periods') }}{% endif %} */
    {%- if is_incremental() and execute -%}
        {%- set changed = run_query(
            "select " ~ inputs_changed(meta['inputs'], meta.get('periods', false))
        ).columns[0].values()[0] -%}
        {%- if not changed %}
    where false
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro drop_if_inputs_changed(inputs, periods=false) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ inputs_changed(inputs, periods) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{% macro record_inputs_signature(inputs, periods=false) -%}
    delete from audit.dbt_round_partitions where model = {{ sql_string(this.identifier) }};
    insert into audit.dbt_round_partitions (model, survey_id, round_signature)
    select {{ sql_string(this.identifier) }}, '*', ({{ inputs_signature(inputs, periods) }})
{%- endmacro %}
