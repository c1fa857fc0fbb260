{#- Incremental MTU models, one survey round at a time. A model configured with
    `incremental_rounds_config()` keeps every round it built; a night builds only the rounds
    whose signature (int_mtu_round_signatures) differs from the one the model was built with,
    recorded per model and round in audit.dbt_round_partitions. The pre-hook deletes the rows of
    changed and vanished rounds (a corrected, withdrawn or no longer visible file), the model
    selects only `mtu_rounds_to_build()`, the post-hook records the signatures it now reflects.
    All three run in the model's transaction: a failed build changes neither table. A full
    refresh (`culture run --full-refresh`, or a changed build fingerprint) rebuilds every round. -#}

{% macro incremental_rounds_config(extra_pre_hooks=[]) -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook=extra_pre_hooks + ["{{ drop_stale_rounds() }}"],
        post_hook=["{{ record_round_signatures() }}"],
    ) }}
{%- endmacro %}

{#- The survey ids this build must (re)build: all on a full build, else the changed ones. -#}
{% macro mtu_rounds_to_build() -%}
    select signatures.survey_id
    from {{ ref('int_mtu_round_signatures') }} as signatures
    {%- if is_incremental() %}
        where not exists (
            select 1
            from audit.dbt_round_partitions as built
            where
                built.model = {{ sql_string(this.identifier) }}
                and built.survey_id = signatures.survey_id
                and built.round_signature = signatures.round_signature
        )
    {%- endif %}
{%- endmacro %}

{#- The rounds to build and the previous round of each (per institution), read from the model's
    `to_build` CTE (`mtu_rounds_to_build()`): a model whose figures include the change since the
    previous round computes that round's figures too. -#}
{% macro mtu_rounds_with_previous() -%}
    select to_build.survey_id from to_build
    union
    select round_institutions.previous_survey_id
    from {{ ref('int_mtu_round_institutions') }} as round_institutions
    where
        round_institutions.survey_id in (select to_build.survey_id from to_build)
        and round_institutions.previous_survey_id is not null
{%- endmacro %}

{% macro drop_stale_rounds() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as stale
        where stale.survey_id not in (
            select built.survey_id
            from audit.dbt_round_partitions as built
            inner join {{ ref('int_mtu_round_signatures') }} as signatures
                on
                    built.survey_id = signatures.survey_id
                    and built.round_signature = signatures.round_signature
            where built.model = {{ sql_string(this.identifier) }}
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{% macro record_round_signatures() -%}
    delete from audit.dbt_round_partitions where model = {{ sql_string(this.identifier) }};
    insert into audit.dbt_round_partitions (model, survey_id, round_signature)
    select {{ sql_string(this.identifier) }}, survey_id, round_signature
    from {{ ref('int_mtu_round_signatures') }}
{%- endmacro %}
