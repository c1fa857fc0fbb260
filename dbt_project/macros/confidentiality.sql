{#
    The one implementation of the confidentiality rules 1–3 of indicators.md.

    `create_suppression_function()` returns the SQL that installs
    `culture_fn.suppress_small_groups_array(groups culture_fn.suppression_group[], k numeric)`,
    which the models call with the array the macro `suppression_groups` (below) aggregates, and
    `culture_fn.suppress_small_groups(groups jsonb, k numeric)`, the same with the groups as a
    jsonb array of objects (read into the array form; for callers outside dbt, such as
    plugins/culture_warehouse/confidentiality.py). dbt_project.yml runs it from
    `on-run-start`, and plugins/culture_warehouse/confidentiality.py executes the same macro body
    (everything between the macro tags, which must stay free of Jinja) for tests and the pipeline.

    groups: one element per group, with these fields:
        partition_key  text      groups in different partitions are independent
                                 ('MTU2026|tillid', 'absence|2026-09-30', 'MTU2026|tillid|ORG2100|age')
        group_key      text      unique within the partition (an org_unit_code, 'ORG2100|age=30-39')
        parent_key     text      the nearest parent group in the same partition; null for a root
        sort_key       text      the tie-break among equally small groups (the org_unit_code);
                                 defaults to group_key; compared bytewise (collation "C")
        depth          integer   optional; when given it must equal the depth from the parent
                                 links (root = 0)
        size           numeric   respondents, or average headcount for HR figures, of the whole
                                 subtree (a group's own direct members plus all its descendants')
        suppressed     boolean   optional; true when an earlier decision already hides the group
                                 (a question of a unit whose own figures are suppressed): it then
                                 counts as suppressed by rule 1 for rule 3 of the other groups

    An empty array or null (array_agg or jsonb_agg over no rows) gives no rows. Duplicate groups, unknown
    parents, parent cycles, a wrong depth, a missing or negative size, or k <= 0 raise an error.

    Returns one row per input group, in input order: partition_key, group_key, suppressed, and
    reason: 'rule1: fewer than k', 'given' (passed in as suppressed), 'rule3: cover' or null. Use in a model, for example:

        select suppression.partition_key, suppression.group_key, suppression.suppressed
        from culture_fn.suppress_small_groups_array(
            (
                select {{ suppression_groups(
                    partition_key="survey_id || '|' || dimension",
                    group_key='org_unit_code',
                    parent_key='parent_org_unit_code',
                    sort_key='org_unit_code',
                    size='n_respondents'
                ) }}
                from unit_results
            ),
            {{ var('min_group_size') }}
        ) as suppression

    How rule 3 is applied. After rules 1–2, the cover of a shown group G is the shown groups whose
    nearest shown proper ancestor is G. Rule 3 for G suppresses only members of G's current cover,
    which changes no other group's cover; so when G's turn comes (after all its ancestors) its
    cover is still the one left by rules 1–2, and suppressing a member C puts C's own cover (also
    still as rules 1–2 left it) in C's place. One set-based statement therefore prepares every
    cover, its summed size and the groups rule 3 concerns (0 < uncovered < k); only those are then
    walked, ancestors first, in memory: work proportional to their covers, not to all groups.
#}
{% macro create_suppression_function() %}
create schema if not exists culture_fn;

-- One group, as the models pass them (macro suppression_groups): an array of these costs a
-- fraction of the jsonb form to build and to read (767,000 question groups at state scale:
-- 0.7 s instead of 5.5 s to build).
do $type$
begin
    create type culture_fn.suppression_group as (
        partition_key text,
        group_key text,
        parent_key text,
        sort_key text,
        depth integer,
        size numeric,
        suppressed boolean
    );
exception when duplicate_object or unique_violation then
    null;
end
$type$;

-- The jsonb form (documented above): read into the array form, which applies the rules.
create or replace function culture_fn.suppress_small_groups(groups jsonb, k numeric)
returns table (partition_key text, group_key text, suppressed boolean, reason text)
language plpgsql
immutable
parallel safe
rows 100000
as $function$
#variable_conflict use_column
begin
    -- jsonb_agg over no rows gives null: no groups, nothing to suppress.
    if groups is not null and jsonb_typeof(groups) <> 'array' then
        raise exception 'suppress_small_groups: groups must be a jsonb array, got %',
            jsonb_typeof(groups);
    end if;
    return query
    select result.partition_key, result.group_key, result.suppressed, result.reason
    from culture_fn.suppress_small_groups_array(
        (
            select
                array_agg(
                    row(
                        item.partition_key, item.group_key, item.parent_key, item.sort_key,
                        item.depth, item.size, item.suppressed
                    )::culture_fn.suppression_group
                    order by item.position
                )
            from rows from (
                jsonb_to_recordset(coalesce(groups, '[]')) as (
                    partition_key text,
                    group_key text,
                    parent_key text,
                    sort_key text,
                    depth integer,
                    size numeric,
                    suppressed boolean
                )
            ) with ordinality as item (
                partition_key, group_key, parent_key, sort_key, depth, size, suppressed, position
            )
        ),
        k
    ) as result;
end;
$function$;

create or replace function culture_fn.suppress_small_groups_array(
    groups culture_fn.suppression_group [], k numeric
)
returns table (partition_key text, group_key text, suppressed boolean, reason text)
language plpgsql
immutable
parallel safe
-- One row per input group: tens of thousands at state scale. The default estimate (1,000) led
-- the planner to merge-join the result on one key and compare every group with every other.
rows 100000
-- Groups are linked to their parents by text keys: a merge join sorts 767,000 of them twice in
-- the database's collation (the question groups at state scale), a hash join does not (measured
-- at 190,000 employees: 11.0 s -> 8.3 s). Only while the function runs.
set enable_mergejoin = off
as $function$
#variable_conflict use_column
declare
    -- Average headcounts summed over a subtree can differ from the parent's by rounding noise;
    -- a real uncovered member weighs at least one day of a window (1/366), far above this.
    rounding_noise constant numeric := 0.000001;
    problem text;
    -- Arrays indexed by the group's position in the input.
    partition_of text[];
    group_key_of text[];
    size_of numeric[];
    shown_of boolean[];
    given_of boolean[];
    cover_size_of numeric[];
    first_member_of integer[];
    next_member_of integer[];
    sort_key_of text[];
    -- Shown groups whose uncovered members number more than 0 but fewer than k, ancestors first.
    candidates integer[];
    candidate integer;
    uncovered numeric;
    cover integer[];
    member integer;
    smallest integer;
    challenger integer;
    victim integer;
begin
    if k is null or k <= 0 then
        raise exception 'suppress_small_groups: k must be a positive number, got %', k;
    end if;
    -- array_agg over no rows gives null: no groups, nothing to suppress.
    if groups is null or cardinality(groups) = 0 then
        return;
    end if;

    with recursive item as materialized (
        select
            item.position::integer as id,
            item.partition_key,
            item.group_key,
            item.parent_key,
            coalesce(item.sort_key, item.group_key) as sort_key,
            item.depth as given_depth,
            item.size,
            item.size >= k and not coalesce(item.suppressed, false) as is_shown,
            coalesce(item.suppressed, false) as is_given
        from unnest(groups) with ordinality as item (
            partition_key, group_key, parent_key, sort_key, depth, size, suppressed, position
        )
    ),

    keyed as (
        select partition_key, group_key, min(id) as id, count(*) as occurrences
        from item
        group by partition_key, group_key
    ),

    -- From here on a group is its number: the text keys are read once more, at the end, from
    -- `item` (narrow rows to materialize, sort and join: 767,000 question groups at state scale).
    linked as materialized (
        select
            item.id,
            parent.id as parent_id,
            item.is_shown,
            item.parent_key is null as is_root,
            item.parent_key is not null and parent.id is null as is_orphan
        from item
        left join keyed as parent
            on parent.partition_key = item.partition_key and parent.group_key = item.parent_key
    ),

    -- Down from the roots: each group's depth and its nearest shown proper ancestor.
    walk (id, depth, nearest_shown, nearest_shown_above) as (
        select id, 0, case when is_shown then id end, null::integer
        from linked
        where is_root
        union all
        select
            child.id,
            walk.depth + 1,
            case when child.is_shown then child.id else walk.nearest_shown end,
            walk.nearest_shown
        from walk
        inner join linked as child on child.parent_id = walk.id
    ),

    placed as materialized (
        select
            item.id,
            item.size,
            item.is_shown,
            item.given_depth,
            walk.depth,
            case when item.is_shown then walk.nearest_shown_above end as cover_of
        from item
        left join walk on walk.id = item.id
    ),

    covers as (
        select cover_of as id, sum(size) as cover_size, min(id) as first_member
        from placed
        where cover_of is not null
        group by cover_of
    ),

    described as (
        select
            placed.*,
            coalesce(covers.cover_size, 0) as cover_size,
            covers.first_member,
            case
                when placed.cover_of is not null
                    then lead(placed.id) over (partition by placed.cover_of order by placed.id)
            end as next_member
        from placed
        left join covers on covers.id = placed.id
    ),

    problems as (
        select 1 as priority, format(
            'group %s of partition %s needs a partition_key, a group_key and a size >= 0, got %s',
            group_key, partition_key, coalesce(size::text, 'none')
        ) as message
        from item
        where partition_key is null or group_key is null or size is null or size < 0
        union all
        select 2, format(
            'group %s appears %s times in partition %s', group_key, occurrences, partition_key
        )
        from keyed
        where occurrences > 1
        union all
        select 3, format(
            'the parent %s of group %s is not in partition %s',
            item.parent_key, item.group_key, item.partition_key
        )
        from linked
        inner join item on item.id = linked.id
        where linked.is_orphan
        union all
        select 4, format(
            'group %s of partition %s is on a cycle of parents', item.group_key, item.partition_key
        )
        from placed
        inner join item on item.id = placed.id
        where placed.depth is null
        union all
        select 5, format(
            'group %s of partition %s has depth %s but its parents put it at depth %s',
            item.group_key, item.partition_key, placed.given_depth, placed.depth
        )
        from placed
        inner join item on item.id = placed.id
        where placed.given_depth <> placed.depth
    )

    select
        (select message from problems order by priority limit 1),
        array_agg(item.partition_key order by described.id),
        array_agg(item.group_key order by described.id),
        array_agg(described.size order by described.id),
        array_agg(described.is_shown order by described.id),
        array_agg(item.is_given order by described.id),
        array_agg(described.cover_size order by described.id),
        array_agg(described.first_member order by described.id),
        array_agg(described.next_member order by described.id),
        array_agg(item.sort_key order by described.id),
        array_agg(
            described.id order by described.depth, item.sort_key collate "C", item.group_key collate "C"
        ) filter (
            where
                described.is_shown
                and described.size - described.cover_size > rounding_noise
                and described.size - described.cover_size < k
        )
    into
        problem,
        partition_of,
        group_key_of,
        size_of,
        shown_of,
        given_of,
        cover_size_of,
        first_member_of,
        next_member_of,
        sort_key_of,
        candidates
    from described
    inner join item on item.id = described.id;

    if problem is not null then
        raise exception 'suppress_small_groups: %', problem;
    end if;

    foreach candidate in array coalesce(candidates, '{}') loop
        continue when not shown_of[candidate];
        uncovered := size_of[candidate] - cover_size_of[candidate];
        cover := '{}';
        member := first_member_of[candidate];
        while member is not null loop
            cover := array_append(cover, member);
            member := next_member_of[member];
        end loop;

        while uncovered > rounding_noise and uncovered < k and cardinality(cover) > 0 loop
            -- The smallest member: by size, then sort_key, then group_key (bytewise).
            smallest := 1;
            for slot in 2 .. cardinality(cover) loop
                challenger := cover[slot];
                victim := cover[smallest];
                if size_of[challenger] < size_of[victim]
                    or size_of[challenger] = size_of[victim] and (
                        sort_key_of[challenger] collate "C" < sort_key_of[victim]
                        or sort_key_of[challenger] = sort_key_of[victim]
                        and group_key_of[challenger] collate "C" < group_key_of[victim]
                    )
                then
                    smallest := slot;
                end if;
            end loop;
            victim := cover[smallest];
            shown_of[victim] := false;
            uncovered := uncovered + size_of[victim] - cover_size_of[victim];
            cover[smallest] := cover[cardinality(cover)];
            cover := trim_array(cover, 1);
            member := first_member_of[victim];
            while member is not null loop
                cover := array_append(cover, member);
                member := next_member_of[member];
            end loop;
        end loop;
    end loop;

    return query
    select
        outcome.partition_key,
        outcome.group_key,
        not outcome.is_shown,
        case
            when outcome.size < k then 'rule1: fewer than k'
            when outcome.is_given then 'given'
            when not outcome.is_shown then 'rule3: cover'
        end
    from unnest(partition_of, group_key_of, size_of, shown_of, given_of) with ordinality as outcome (
        partition_key, group_key, size, is_shown, is_given, position
    )
    order by outcome.position;
end;
$function$;
{% endmacro %}

{#- The groups of a model, as the array `culture_fn.suppress_small_groups_array` reads: an aggregate
    over the relation the call selects from, one argument per field of a group (SQL expressions;
    `sort_key` defaults to the group key, `depth` and `suppressed` to none). -#}
{% macro suppression_groups(
    partition_key, group_key, parent_key, size, sort_key='null', depth='null', suppressed='null'
) -%}
    array_agg(
        row(
            {{ partition_key }}, {{ group_key }}, {{ parent_key }}, {{ sort_key }}, {{ depth }},
            ({{ size }})::numeric, {{ suppressed }}
        )::culture_fn.suppression_group
    )
{%- endmacro %}
