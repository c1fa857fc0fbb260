"""Publish a night's marts atomically: swap ``marts_build`` in for ``marts`` in one transaction.

Readers see either last night's complete marts or tonight's. The previous version is kept as
``marts_previous`` (not readable by BI) until the next publish, so a query that started before
the swap finishes on the tables it began with.
"""

from __future__ import annotations

from culture_warehouse.transform import BUILD_SCHEMA
from culture_warehouse.validate import has_suite, validate_query
from culture_warehouse.warehouse import BI_ROLE, connect

PUBLISHED = "marts"
PREVIOUS = "marts_previous"


class PublishBlocked(RuntimeError):
    """An audit gate failed on the built marts; the previous marts stay published."""


def audit_built_marts(dsn: str, run_id: str) -> int:
    """Run the ``expectations/marts_<table>.json`` suites on the built marts before publishing.

    Every run is kept in ``audit.validation_results``; a failure blocks the publish.
    Returns the number of suites run.
    """
    with connect(dsn, autocommit=True) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = %s"
                " order by table_name",
                (BUILD_SCHEMA,),
            ).fetchall()
        ]
        failures: list[str] = []
        runs = 0
        for table in tables:
            suite = f"marts_{table}"
            if not has_suite(suite):
                continue
            result = validate_query(
                dsn, suite, f'select * from {BUILD_SCHEMA}."{table}"', f"{suite}_{run_id[-12:]}"
            )
            runs += 1
            conn.execute(
                """
                insert into audit.validation_results
                    (source, suite, success, expectations, failed, failures, file_name, run_id)
                values ('marts', %s, %s, %s, %s, %s, %s, %s)
                """,
                (
                    suite, result.success, len(result.outcomes), len(result.failed),
                    "; ".join(o.describe() for o in result.failed) or None, f"marts.{table}", run_id,
                ),
            )  # fmt: skip
            if not result.success:
                failures.append(result.reason())
    if failures:
        raise PublishBlocked("audit gate on the built marts: " + "; ".join(failures))
    return runs


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
