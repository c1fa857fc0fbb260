"""Great Expectations gates: one suite per source file type, run inside PostgreSQL.

Each freshly loaded (still invisible) batch is validated with a SQL query asset, so no table is
pulled into pandas. Only verdicts leave PostgreSQL (BOOLEAN_ONLY); a failing suite is run once more
for counts: expectation, column, success and the number of unexpected rows. Unexpected values
themselves are never fetched, stored, logged or returned.

Speed (a night validates hundreds of files): one ephemeral context per process and warehouse, one
query asset whose query is swapped per load, suites parsed once per file version, no validation
definition, checkpoint, result store or data docs.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from culture_warehouse.config import project_dir
from culture_warehouse.warehouse import sqlalchemy_url

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected: int | None

    def describe(self) -> str:
        where = f" on column '{self.column}'" if self.column else ""
        count = f" ({self.unexpected} rows)" if self.unexpected else ""
        return f"{self.expectation}{where}{count}"


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool
    outcomes: tuple[ExpectationOutcome, ...]

    @property
    def failed(self) -> tuple[ExpectationOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.success)

    def reason(self) -> str:
        failed = "; ".join(o.describe() for o in self.failed)
        return f"failed Great Expectations suite '{self.suite}': {failed}"


def suite_path(suite: str) -> Path:
    return project_dir() / "expectations" / f"{suite}.json"


def has_suite(suite: str) -> bool:
    return suite_path(suite).exists()


def load_suite_definition(suite: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(suite_path(suite).read_text(encoding="utf-8"))
    return loaded


# One Great Expectations context per warehouse DSN and process, with its datasource and one query
# asset whose query is swapped for each load: adding and deleting an asset per load re-serialised
# the whole project config each time. Airflow runs each task in its own process; within one the
# lock keeps calls to the shared asset one at a time.
_lock = threading.Lock()

# A suite that fails is run once more for the number of rows breaking each expectation, with no
# row fetched: GX's "unexpected values" queries get LIMIT 0.
_COUNTS_ONLY = {"result_format": "BASIC", "partial_unexpected_count": 0}


@cache
def _asset(dsn: str) -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # progress bars are cosmetic; an API change must not stop a night
        pass
    datasource = context.data_sources.add_sql(name="warehouse", connection_string=sqlalchemy_url(dsn))
    return datasource.add_query_asset(name="load", query="select 1 as placeholder")


def _read_columns_without_rows(asset: Any) -> None:
    """Let GX learn the query's column names without PostgreSQL running it or sending any row.

    For a query asset GX reads the column names by executing the bare query and looking at the
    result's header: the whole load (every row of a 190,000-employee snapshot) or the whole MTU
    summary again, sent to this process and dropped. Every metric wraps the query in a subquery,
    so the bare query text is only ever that header read: it is given LIMIT 0, same columns, no
    rows. Any other statement passes unchanged (a query SQLAlchemy rewrites, e.g. one with a
    ``%``, simply keeps the old, slower header read).
    """
    from sqlalchemy import event

    engine = asset.datasource.get_execution_engine().engine

    def columns_only(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> tuple[str, Any]:
        if statement.strip() == asset.query.strip():
            statement = f"select * from (\n{statement}\n) as columns_only limit 0"
        return statement, parameters

    if not any(hooked is engine for hooked in _hooked_engines):
        event.listen(engine, "before_cursor_execute", columns_only, retval=True)
        _hooked_engines.append(engine)


_hooked_engines: list[Any] = []  # one SQLAlchemy engine per warehouse DSN and process


def _suite(suite: str) -> Any:
    """The suite as GX objects, rebuilt only when its file changes (an edit takes effect at once)."""
    path = suite_path(suite)
    stat = path.stat()
    return _parsed_suite(suite, path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _parsed_suite(suite: str, path: Path, mtime_ns: int, size: int) -> Any:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    definition = json.loads(path.read_text(encoding="utf-8"))
    expectations = [
        ExpectationConfiguration(type=e["type"], kwargs=e.get("kwargs", {})).to_domain_obj()
        for e in definition["expectations"]
    ]
    # Not added to the context's suite store: nothing is kept between runs but this object.
    return gx.ExpectationSuite(name=suite, expectations=expectations)


def _outcome(result: Any) -> ExpectationOutcome:
    """Only the expectation, column, verdict and count: never the unexpected values."""
    config = result.expectation_config
    return ExpectationOutcome(
        expectation=str(config.type) if config else "unknown expectation",
        column=config.kwargs.get("column") if config else None,
        success=bool(result.success),
        unexpected=(result.result or {}).get("unexpected_count"),
    )


def validate_query(dsn: str, suite: str, query: str, batch_name: str) -> SuiteOutcome:
    """Run a suite from ``expectations/`` against the rows a SQL query returns.

    Only verdicts come back from the database (BOOLEAN_ONLY): no checkpoint, no stored validation
    result, no data docs. ``batch_name`` is no longer needed (one asset serves every load); it is
    kept so that callers need not change.
    """
    expectation_suite = _suite(suite)
    with _lock:
        asset = _asset(dsn)
        asset.query = query
        _read_columns_without_rows(asset)
        batch = asset.get_batch(asset.build_batch_request())
        result = batch.validate(expectation_suite, result_format="BOOLEAN_ONLY")
        if not result.success:
            result = batch.validate(expectation_suite, result_format=_COUNTS_ONLY)
    outcomes = tuple(_outcome(r) for r in result.results)
    return SuiteOutcome(suite=suite, success=bool(result.success), outcomes=outcomes)
