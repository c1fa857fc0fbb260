"""Publish a night's marts atomically: swap ``marts_build`` in for ``marts`` in one transaction.

Readers see, for every mart, either last night's complete table or tonight's. A mart that dbt
blocked (transform.py) or that fails its audit gate is not published: the swap carries last
night's table over into the new schema, so the rest of the night still publishes. The previous
schema is kept as ``marts_previous`` (not readable by BI) until the next publish, so a query
that started before the swap finishes on the tables it began with. ``marts.publication_status``
says, per mart, which night built the version BI is reading and why a newer one was held back.
In the same transaction the org tree of per-unit access is rebuilt and every unit-grained table
gets its row-level security policy (access.py), so a login granted a unit never sees a mart
unfiltered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import psycopg
import psycopg.sql

from culture_warehouse import access, audit
from culture_warehouse.apart import in_own_process
from culture_warehouse.transform import BUILD_SCHEMA
from culture_warehouse.validate import has_suite, validate_query
from culture_warehouse.warehouse import BI_ROLE, connect

PUBLISHED = "marts"
PREVIOUS = "marts_previous"
STATUS_TABLE = "publication_status"


STATUS_COMMENTS = {
    "": "da: Hvilken nat byggede den version af hver mart, BI læser, og hvorfor en nyere blev holdt"
    " tilbage.\n\nen: Which night built the version of each mart BI reads, and why a newer one was"
    " held back.",
    "mart": "da: Martens tabelnavn i skemaet marts.\n\nen: The mart's table name in the schema marts.",
    "status": "da: `published tonight`, `kept from an earlier night` eller `not available`.\n\nen:"
    " `published tonight`, `kept from an earlier night` or `not available`.",
    "built_for_night": "da: As-of-datoen for den nat, der byggede versionen.\n\nen: The as-of date of"
    " the night that built the version.",
    "built_by_run": "da: Kørslens id (audit.runs).\n\nen: The run's id (audit.runs).",
    "published_at": "da: Hvornår versionen blev publiceret.\n\nen: When the version was published.",
    "held_back_reason": "da: Hvorfor nattens version ikke blev publiceret; tom når den blev.\n\nen:"
    " Why tonight's version was not published; null when it was.",
}
"""The status table's comments (Danish, then English), as dbt writes them for the marts it builds."""


class PublishBlocked(RuntimeError):
    """Some marts could not be published tonight; they keep an earlier night's version."""


class PublishRefused(RuntimeError):
    """Nothing is published tonight (an older night than the one BI reads, not run as a backfill)."""


@dataclass(frozen=True)
class Publication:
    published: tuple[str, ...]
    kept: Mapping[str, str] = field(default_factory=dict)

    def reason(self) -> str:
        kept = sorted(self.kept.items())
        return "; ".join(f"{mart} kept from an earlier night: {why}" for mart, why in kept)


def built_tables(conn: psycopg.Connection, schema: str = BUILD_SCHEMA) -> list[str]:
    return [
        str(row[0])
        for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s order by table_name",
            (schema,),
        ).fetchall()
    ]


def audit_built_marts(dsn: str, run_id: str, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Run the ``expectations/marts_<table>.json`` suites on the built marts before publishing.

    Every run is kept in ``audit.validation_results``. Returns mart → reason for each mart whose
    gate failed: those marts are not published tonight. Great Expectations runs in a process of
    its own: what it leaves behind is given back before the disclosure gate starts its two
    processes beside this one (apart.py).
    """
    return in_own_process(_validate_built_marts, dsn, run_id, skip, what="the marts' suites")


def _validate_built_marts(dsn: str, run_id: str, skip: frozenset[str]) -> dict[str, str]:
    failures: dict[str, str] = {}
    with connect(dsn, autocommit=True) as conn:
        for table in built_tables(conn):
            suite = f"marts_{table}"
            if table in skip or not has_suite(suite):
                continue
            result = validate_query(
                dsn, suite, f'select * from {BUILD_SCHEMA}."{table}"', f"{suite}_{run_id[-12:]}"
            )
            audit.record_validation(conn, "marts", result, f"marts.{table}", run_id)
            if not result.success:
                failures[table] = f"audit gate {result.reason()}"
    return failures


def publish_marts(dsn: str, run_id: str, blocked: Mapping[str, str]) -> Publication:
    """Swap the built marts in, carrying over last night's table for every blocked mart."""
    with connect(dsn) as conn:
        conn.execute("set local lock_timeout = '60s'")
        if not conn.execute(
            "select 1 from information_schema.schemata where schema_name = %s", (BUILD_SCHEMA,)
        ).fetchone():
            raise RuntimeError("nothing to publish: the dbt build schema does not exist")
        earlier = _earlier_status(conn)
        current = set(built_tables(conn, PUBLISHED))
        for mart in sorted(blocked):
            conn.execute(f'drop table if exists {BUILD_SCHEMA}."{mart}"')
            if mart in current:
                conn.execute(f'alter table {PUBLISHED}."{mart}" set schema {BUILD_SCHEMA}')
        new = [t for t in built_tables(conn) if t not in blocked and t != STATUS_TABLE]
        _write_status(conn, run_id, new, blocked, earlier, carried=current & set(blocked))
        # In this transaction, before the swap: no unit-grained table is ever readable unfiltered.
        access.refresh_unit_tree(conn, BUILD_SCHEMA)
        access.protect_unit_marts(conn, BUILD_SCHEMA)
        conn.execute(f"drop schema if exists {PREVIOUS} cascade")
        conn.execute(f"alter schema {PUBLISHED} rename to {PREVIOUS}")
        conn.execute(f"revoke all on schema {PREVIOUS} from {BI_ROLE}")
        conn.execute(f"alter schema {BUILD_SCHEMA} rename to {PUBLISHED}")
        # dbt's `grants` config gives BI select on every mart and seed as dbt builds it, and a
        # table carried over keeps its grants. dbt cannot grant on a schema, and marts_build
        # must stay closed to BI until this swap: usage on the schema is granted here, as is
        # select on the status table, which dbt does not build.
        conn.execute(f"grant usage on schema {PUBLISHED} to {BI_ROLE}")
        conn.execute(f"grant select on {PUBLISHED}.{STATUS_TABLE} to {BI_ROLE}")
    return Publication(published=tuple(new), kept=dict(blocked))


def _earlier_status(conn: psycopg.Connection) -> dict[str, tuple[object, ...]]:
    if STATUS_TABLE not in built_tables(conn, PUBLISHED):
        return {}
    rows = conn.execute(
        f"select mart, built_for_night, built_by_run, published_at from {PUBLISHED}.{STATUS_TABLE}"
    ).fetchall()
    return {str(row[0]): tuple(row[1:]) for row in rows}


def _write_status(
    conn: psycopg.Connection,
    run_id: str,
    new: list[str],
    blocked: Mapping[str, str],
    earlier: Mapping[str, tuple[object, ...]],
    carried: set[str],
) -> None:
    conn.execute(
        f"""
        create table {BUILD_SCHEMA}.{STATUS_TABLE} (
            mart text primary key,
            status text not null,
            built_for_night date,
            built_by_run text,
            published_at timestamptz,
            held_back_reason text
        )
        """
    )
    for column, comment in STATUS_COMMENTS.items():
        target = (
            f"table {BUILD_SCHEMA}.{STATUS_TABLE}"
            if column == ""
            else f"column {BUILD_SCHEMA}.{STATUS_TABLE}.{column}"
        )
        conn.execute(psycopg.sql.SQL("comment on {} is {}").format(psycopg.sql.SQL(target), comment))
    conn.execute(
        f"insert into {BUILD_SCHEMA}.{STATUS_TABLE}"
        " select t.mart, 'published tonight', (select as_of from audit.runs where run_id = %s), %s,"
        " now(), null from unnest(%s::text[]) as t(mart)",
        (run_id, run_id, [*new, STATUS_TABLE]),
    )
    for mart, reason in sorted(blocked.items()):
        night, built_by, published_at = earlier.get(mart, (None, None, None))
        conn.execute(
            f"insert into {BUILD_SCHEMA}.{STATUS_TABLE} values (%s, %s, %s, %s, %s, %s)",
            (mart, "kept from an earlier night" if mart in carried else "not available", night, built_by,
             published_at, reason[:1000]),
        )  # fmt: skip
