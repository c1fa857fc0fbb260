"""Per-unit access for BI logins: PostgreSQL row-level security keyed on the org tree.

A role granted a unit (``culture access grant --role anna --unit 2100``) reads, in every mart
with an ``org_unit_code``, only the rows of that unit's subtree; the unit-less marts (indicator
catalogue, freshness, publication status) stay whole. A role without a grant reads everything,
as ``culture_bi_reader`` always did.

Whose grants count: the role the query runs as (``current_user``) when it has any; otherwise
the login (``session_user``). So a BI tool that switches its shared login to a per-user role
(Metabase's impersonation) gets that role's scope, and a restricted login that ``SET ROLE``s to
``culture_bi_reader`` (its group, which has no grants) keeps its own. A group role's grants are
not inherited by its members: grants are per role, never through membership.

The subtree follows the org tree of the published ``marts.dim_org_unit``: each unit is placed by
its latest version (a closed unit by its last parent), so a manager sees the whole history of
the units she heads now, and none of a unit that has left her area. ``access.unit_tree`` holds
that closure; the publish rebuilds it and (re)applies the policies in the swap's transaction.

BI logins may not read ``access.unit_grants`` or ``access.unit_tree``; they read two security
barrier views that show only their own grants and units. The policies on the marts read those
views once per query (an uncorrelated subquery and a hashed semi-join on the unit code), never a
recursive walk per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg

from culture_warehouse.warehouse import BI_ROLE, bootstrap, connect

SCHEMA = "access"
POLICY = "unit_access"
UNIT_COLUMN = "org_unit_code"

TABLES = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.unit_grants (
    role_name name not null,
    unit_code text not null,
    granted_at timestamptz not null default now(),
    granted_by name not null default current_user,
    primary key (role_name, unit_code)
);
create table if not exists {SCHEMA}.unit_tree (
    ancestor_code text not null,
    org_unit_code text not null,
    primary key (ancestor_code, org_unit_code)
);
revoke all on {SCHEMA}.unit_grants, {SCHEMA}.unit_tree from public, {BI_ROLE};
grant usage on schema {SCHEMA} to {BI_ROLE};
"""

VIEWS_VERSION = "culture access views v1"
"""Written as the views' comment. The views are replaced only when it differs: replacing a view
waits for every query that uses it, and every BI query on a unit mart does (through the policy)."""

VIEWS = f"""
create or replace view {SCHEMA}.my_unit_grants with (security_barrier) as
select grants.unit_code
from {SCHEMA}.unit_grants as grants
where grants.role_name = case
    when exists (select from {SCHEMA}.unit_grants as own where own.role_name = current_user)
        then current_user
    else session_user
end;
create or replace view {SCHEMA}.my_units with (security_barrier) as
select distinct tree.org_unit_code
from {SCHEMA}.my_unit_grants as grants
inner join {SCHEMA}.unit_tree as tree on grants.unit_code = tree.ancestor_code;
revoke all on {SCHEMA}.my_unit_grants, {SCHEMA}.my_units from public;
grant select on {SCHEMA}.my_unit_grants, {SCHEMA}.my_units to {BI_ROLE};
comment on view {SCHEMA}.my_unit_grants is '{VIEWS_VERSION}';
"""

POLICY_CONDITION = (
    f"not exists (select from {SCHEMA}.my_unit_grants)"
    f" or {UNIT_COLUMN} in (select my_units.org_unit_code from {SCHEMA}.my_units)"
)
"""Every row when the reader has no grant; else the rows of the units under a granted one."""


class AccessRefused(ValueError):
    """A grant that would not do what it says (no such role, a role that bypasses it, no such unit)."""


@dataclass(frozen=True)
class UnitGrant:
    role: str
    unit_code: str
    units_covered: int
    granted_at: dt.datetime
    granted_by: str


def create_objects(conn: psycopg.Connection) -> None:
    """The access schema, its tables and the readers' views; idempotent, run every night."""
    conn.execute(TABLES)
    row = conn.execute(
        f"select obj_description(to_regclass('{SCHEMA}.my_unit_grants'), 'pg_class')"
    ).fetchone()
    if row is None or row[0] != VIEWS_VERSION:
        conn.execute(VIEWS)


def prepare(dsn: str) -> None:
    """Schemas, the BI role's grants and the access objects, as a night's prepare makes them."""
    bootstrap(dsn)
    with connect(dsn, autocommit=True) as conn:
        create_objects(conn)


def unit_marts(conn: psycopg.Connection, schema: str) -> list[str]:
    """The tables of ``schema`` that have a row per org unit (an ``org_unit_code`` column)."""
    return [
        str(row[0])
        for row in conn.execute(
            "select table_name from information_schema.columns"
            " where table_schema = %s and column_name = %s order by table_name",
            (schema, UNIT_COLUMN),
        ).fetchall()
    ]


def protect_unit_marts(conn: psycopg.Connection, schema: str) -> list[str]:
    """Enable row-level security and (re)create the unit policy on every unit-grained table.

    Run inside the publish transaction on the schema about to become ``marts``, so no freshly
    built table is ever readable without its policy. The owner (the night's user) bypasses it.
    """
    protected = unit_marts(conn, schema)
    for table in protected:
        conn.execute(f'alter table {schema}."{table}" enable row level security')
        conn.execute(f'drop policy if exists {POLICY} on {schema}."{table}"')
        conn.execute(f'create policy {POLICY} on {schema}."{table}" for select using ({POLICY_CONDITION})')
    return protected


def refresh_unit_tree(conn: psycopg.Connection, schema: str) -> int | None:
    """Rebuild ``access.unit_tree`` from ``{schema}.dim_org_unit``: unit → itself and every
    ancestor, each unit placed by its latest version. Returns the units placed, or None (the
    tree is left as it was) when the schema has no ``dim_org_unit``."""
    exists = conn.execute(
        "select 1 from information_schema.tables where table_schema = %s and table_name = 'dim_org_unit'",
        (schema,),
    ).fetchone()
    if not exists:
        return None
    conn.execute(f"delete from {SCHEMA}.unit_tree")
    conn.execute(
        f"""
        insert into {SCHEMA}.unit_tree (ancestor_code, org_unit_code)
        with recursive latest as (
            select distinct on (org_unit_code) org_unit_code, parent_code
            from {schema}.dim_org_unit
            order by org_unit_code, valid_from desc
        ),
        up (org_unit_code, ancestor_code, walked) as (
            select org_unit_code, org_unit_code, array[org_unit_code::text] from latest
            union all
            select up.org_unit_code, latest.parent_code, up.walked || latest.parent_code::text
            from up
            inner join latest on up.ancestor_code = latest.org_unit_code
            where latest.parent_code is not null and not latest.parent_code = any(up.walked)
        )
        select distinct ancestor_code, org_unit_code from up
        """
    )
    row = conn.execute(f"select count(distinct org_unit_code) from {SCHEMA}.unit_tree").fetchone()
    return int(row[0]) if row else 0


def grant_unit(dsn: str, role: str, unit_code: str) -> UnitGrant:
    """Let ``role`` read only ``unit_code``'s subtree (besides its other grants); at once."""
    prepare(dsn)
    with connect(dsn) as conn:
        _check_role(conn, role)
        covered = _units_under(conn, unit_code)
        if not covered:
            raise AccessRefused(
                f"unit {unit_code!r} is not in the published org tree (marts.dim_org_unit);"
                " a unit can be granted once a night has published it"
            )
        conn.execute(
            f"insert into {SCHEMA}.unit_grants (role_name, unit_code) values (%s, %s) on conflict do nothing",
            (role, unit_code),
        )
    return next(g for g in list_grants(dsn, role) if g.unit_code == unit_code)


def revoke_unit(dsn: str, role: str, unit_code: str | None = None) -> int:
    """Withdraw the role's grant of ``unit_code`` (every grant when None); the number withdrawn.
    A role left without grants reads every unit again, at once."""
    prepare(dsn)
    with connect(dsn) as conn:
        if unit_code is None:
            cursor = conn.execute(f"delete from {SCHEMA}.unit_grants where role_name = %s", (role,))
        else:
            cursor = conn.execute(
                f"delete from {SCHEMA}.unit_grants where role_name = %s and unit_code = %s", (role, unit_code)
            )
        return cursor.rowcount


def list_grants(dsn: str, role: str | None = None) -> list[UnitGrant]:
    prepare(dsn)
    with connect(dsn) as conn:
        rows = conn.execute(
            f"""
            select grants.role_name, grants.unit_code,
                (select count(*) from {SCHEMA}.unit_tree as tree where tree.ancestor_code = grants.unit_code),
                grants.granted_at, grants.granted_by
            from {SCHEMA}.unit_grants as grants
            where %(role)s::name is null or grants.role_name = %(role)s::name
            order by grants.role_name, grants.unit_code
            """,
            {"role": role},
        ).fetchall()
    return [UnitGrant(str(r[0]), str(r[1]), int(r[2]), r[3], str(r[4])) for r in rows]


def _units_under(conn: psycopg.Connection, unit_code: str) -> int:
    row = conn.execute(
        f"select count(*) from {SCHEMA}.unit_tree where ancestor_code = %s", (unit_code,)
    ).fetchone()
    return int(row[0]) if row else 0


def _check_role(conn: psycopg.Connection, role: str) -> None:
    """Refuse a role for which a grant would restrict nothing."""
    row = conn.execute(
        "select rolsuper, rolbypassrls, pg_has_role(oid, (select nspowner from pg_namespace"
        " where nspname = 'marts'), 'USAGE') from pg_roles where rolname = %s",
        (role,),
    ).fetchone()
    if row is None:
        raise AccessRefused(f"no role {role!r}: create the login first (README, 'Per-unit access')")
    if role == BI_ROLE:
        raise AccessRefused(
            f"{BI_ROLE} is the group every BI login belongs to: grants are per login (or per role a"
            " BI tool switches to) and are not inherited, so grant the unit to the login itself"
        )
    superuser, bypasses, owns_marts = row
    if superuser or bypasses or owns_marts:
        raise AccessRefused(
            f"{role!r} bypasses row-level security (a superuser, BYPASSRLS, or the marts' owner):"
            " a grant would restrict nothing"
        )
