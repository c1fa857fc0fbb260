"""Great Expectations gates: one suite per source file type, run inside PostgreSQL.

Each freshly loaded (still invisible) batch is validated with a SQL query asset, so no table is
pulled into pandas. Only counts leave GX: expectation, column, success and the number of
unexpected rows. Unexpected values themselves are never stored, logged or returned.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from functools import cache
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


@cache
def _context(dsn: str) -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    try:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # progress bars are cosmetic; an API change must not stop a night
        pass
    context.data_sources.add_sql(name="warehouse", connection_string=sqlalchemy_url(dsn))
    return context


def _suite(context: Any, suite: str) -> Any:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    # Read from expectations/ on every call, so an edited suite takes effect in a long-lived process.
    definition = load_suite_definition(suite)
    expectations = [
        ExpectationConfiguration(type=e["type"], kwargs=e.get("kwargs", {})).to_domain_obj()
        for e in definition["expectations"]
    ]
    if suite in {existing.name for existing in context.suites.all()}:
        context.suites.delete(suite)
    return context.suites.add(gx.ExpectationSuite(name=suite, expectations=expectations))


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
    """Run a suite from ``expectations/`` against the rows a SQL query returns."""
    import great_expectations as gx

    context = _context(dsn)
    datasource = context.data_sources.get("warehouse")
    # Names are unique per call: a replay from scratch reuses load ids within one process.
    unique = f"{batch_name}_{uuid.uuid4().hex[:8]}"
    asset = datasource.add_query_asset(name=unique, query=query)
    try:
        batch = asset.add_batch_definition_whole_table("batch")
        definition = gx.ValidationDefinition(
            data=batch, suite=_suite(context, suite), name=f"validate_{unique}"
        )
        result = definition.run(result_format="BASIC")
    finally:
        datasource.delete_asset(unique)
    outcomes = tuple(_outcome(r) for r in result.results)
    return SuiteOutcome(suite=suite, success=bool(result.success), outcomes=outcomes)
