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
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

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
    """The suite's JSON: from ``CULTURE_EXPECTATIONS_DIR`` when that folder has it (a deployment's
    own, stricter suite; read by every process of a task, those started apart included), else
    the project's ``expectations/``."""
    own = os.environ.get("CULTURE_EXPECTATIONS_DIR")
    if own and (Path(own) / f"{suite}.json").is_file():
        return Path(own) / f"{suite}.json"
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


# GX checks a unique column by joining the rows back to their counts per value. Planned before
# autovacuum has analysed a freshly loaded table, the new load ids are unknown to the statistics,
# PostgreSQL expects a row or two and picks a nested loop: at 830,000 employees one such check of
# twelve HR org-unit loads (532,689 rows) was still running after five minutes, where the hash
# join planned once the table was analysed takes a second. GX's queries scan and group, they
# never look up an index, so its connections plan without nested loops.
PLANNER_OPTIONS = "-c enable_nestloop=off"


def validation_url(dsn: str) -> str:
    """The warehouse DSN for GX's SQLAlchemy engine, with ``PLANNER_OPTIONS`` added to any
    ``options`` the DSN already has."""
    parts = urlsplit(sqlalchemy_url(dsn))
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join([*(value for key, value in query if key == "options"), PLANNER_OPTIONS])
    query = [(key, value) for key, value in query if key != "options"] + [("options", options)]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


@cache
def _asset(dsn: str) -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # progress bars are cosmetic; an API change must not stop a night
        pass
    datasource = context.data_sources.add_sql(name="warehouse", connection_string=validation_url(dsn))
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
    definition = json.loads(path.read_text(encoding="utf-8"))
    return _gx_suite(suite, definition["expectations"])


def _gx_suite(name: str, definitions: list[dict[str, Any]]) -> Any:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    expectations = [
        ExpectationConfiguration(type=e["type"], kwargs=e.get("kwargs", {})).to_domain_obj()
        for e in definitions
    ]
    # Not added to the context's suite store: nothing is kept between runs but this object.
    return gx.ExpectationSuite(name=name, expectations=expectations)


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
    return _run(dsn, suite, _suite(suite), query, counts_on_failure=True)


def _run(dsn: str, suite: str, expectation_suite: Any, query: str, counts_on_failure: bool) -> SuiteOutcome:
    with _lock:
        asset = _asset(dsn)
        asset.query = query
        _read_columns_without_rows(asset)
        batch = asset.get_batch(asset.build_batch_request())
        result = batch.validate(expectation_suite, result_format="BOOLEAN_ONLY")
        if not result.success and counts_on_failure:
            result = batch.validate(expectation_suite, result_format=_COUNTS_ONLY)
    outcomes = tuple(_outcome(r) for r in result.results)
    return SuiteOutcome(suite=suite, success=bool(result.success), outcomes=outcomes)


# Validating many small loads at once (a night brings hundreds of minutes documents, each one
# row): the suite is run once over all of them, with each expectation that speaks of the whole
# table turned into the same statement per load. A row count becomes a bound on every row's
# count of rows in its own load, a unique column becomes unique together with the load. What
# holds for every row of the union holds for every row of each load, so a passing group means
# every load passes; a failing group says nothing about which load failed, and each is then
# validated on its own for its exact reason.
ROWS_IN_LOAD = "_rows_in_load"
_ROW_LEVEL = (
    "expect_column_values_to_",
    "expect_column_pair_values_",
    "expect_multicolumn_values_",
)


def group_expectations(expectations: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The suite's expectations restated per load over a group of loads; None when one cannot be.

    A share (``mostly``) is not kept per load by a union, so the group asks for every row: when
    no row of any load breaks the expectation, each load keeps its share; when some row does,
    the group fails and each load is judged by its own share. An expectation of a kind not
    listed here keeps its suite per load.
    """
    restated: list[dict[str, Any]] = []
    for expectation in expectations:
        kind, kwargs = expectation["type"], dict(expectation.get("kwargs", {}))
        kwargs.pop("mostly", None)
        if kind == "expect_table_row_count_to_equal":
            value = kwargs.pop("value")
            kwargs.update(column=ROWS_IN_LOAD, min_value=value, max_value=value)
            kind = "expect_column_values_to_be_between"
        elif kind == "expect_table_row_count_to_be_between":
            kwargs["column"] = ROWS_IN_LOAD
            kind = "expect_column_values_to_be_between"
        elif kind == "expect_column_values_to_be_unique":
            kwargs["column_list"] = ["_load_id", kwargs.pop("column")]
            kind = "expect_compound_columns_to_be_unique"
        elif kind == "expect_compound_columns_to_be_unique":
            kwargs["column_list"] = ["_load_id", *kwargs["column_list"]]
        elif not kind.startswith(_ROW_LEVEL):
            return None
        restated.append({"type": kind, "kwargs": kwargs})
    return restated


def group_query(table: str, load_ids: list[int]) -> str:
    """Every row of the loads, each with its load's row count (one scan, no join: a join back to
    a freshly loaded table can get a nested-loop plan from stale statistics). A load without rows
    has no row here: ``ValidationGroup`` admits only loads that wrote rows."""
    ids = ", ".join(str(int(load_id)) for load_id in load_ids)
    return f"""
        select loaded.*, count(*) over (partition by loaded._load_id) as {ROWS_IN_LOAD}
        from {table} as loaded
        where loaded._load_id in ({ids})
    """


def can_group(suite: str) -> bool:
    return has_suite(suite) and _group_suite(suite) is not None


def validate_group(dsn: str, suite: str, table: str, load_ids: list[int]) -> SuiteOutcome:
    """Run a groupable suite (``can_group``) once over several loads of ``table``."""
    expectation_suite = _group_suite(suite)
    assert expectation_suite is not None, f"suite {suite} cannot be run over a group of loads"
    return _run(dsn, suite, expectation_suite, group_query(table, load_ids), counts_on_failure=False)


def _group_suite(suite: str) -> Any:
    path = suite_path(suite)
    stat = path.stat()
    return _parsed_group_suite(suite, path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _parsed_group_suite(suite: str, path: Path, mtime_ns: int, size: int) -> Any:
    definition = json.loads(path.read_text(encoding="utf-8"))
    restated = group_expectations(definition["expectations"])
    return None if restated is None else _gx_suite(f"{suite} (per load, grouped)", restated)
