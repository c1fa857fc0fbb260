"""Publish a night's marts atomically: swap ``marts_build`` in for ``marts`` in one transaction.

Readers see either last night's complete marts or tonight's. The previous version is kept as
``marts_previous`` (not readable by BI) until the next publish, so a query that started before
the swap finishes on the tables it began with.
"""

from __future__ import annotations

from culture_warehouse.transform import BUILD_SCHEMA
from culture_warehouse.warehouse import BI_ROLE, connect

PUBLISHED = "marts"
PREVIOUS = "marts_previous"


def publish_marts(dsn: str) -> list[str]:
    """Swap the built marts in and grant the BI role; returns the published table names."""
    with connect(dsn) as conn:
        conn.execute("set local lock_timeout = '60s'")
        built = conn.execute(
            "select 1 from information_schema.schemata where schema_name = %s", (BUILD_SCHEMA,)
        ).fetchone()
        if not built:
            raise RuntimeError("nothing to publish: the dbt build schema does not exist")
        conn.execute(f"drop schema if exists {PREVIOUS} cascade")
        conn.execute(f"alter schema {PUBLISHED} rename to {PREVIOUS}")
        conn.execute(f"revoke all on schema {PREVIOUS} from {BI_ROLE}")
        conn.execute(f"alter schema {BUILD_SCHEMA} rename to {PUBLISHED}")
        conn.execute(f"grant usage on schema {PUBLISHED} to {BI_ROLE}")
        conn.execute(f"grant select on all tables in schema {PUBLISHED} to {BI_ROLE}")
        tables = conn.execute(
            "select table_name from information_schema.tables where table_schema = %s order by table_name",
            (PUBLISHED,),
        ).fetchall()
    return [str(row[0]) for row in tables]
