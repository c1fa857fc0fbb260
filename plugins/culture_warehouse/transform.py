"""One ``dbt build`` (staging → intermediate → marts, with every test) through dbt's Python API.

Marts are built into ``marts_build`` beside the published ``marts``; publish.py swaps them in
only when the whole build and all its tests passed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field

from culture_warehouse.config import project_dir, state_dir
from culture_warehouse.warehouse import connect, dbt_connection_env

BUILD_SCHEMA = "marts_build"


class BuildFailed(RuntimeError):
    """dbt could not build or test the marts; the previous marts stay published."""


@dataclass(frozen=True)
class BuildOutcome:
    success: bool
    nodes: int
    failures: tuple[str, ...] = field(default_factory=tuple)


def dbt_project_dir() -> str:
    return str(project_dir() / "dbt_project")


def dbt_args(command: str, as_of: dt.date, min_group_size: int, marts_schema: str) -> list[str]:
    """The dbt command line shared by the pipeline and by operators debugging a night by hand."""
    target = state_dir() / "dbt"
    variables = {"as_of": as_of.isoformat(), "min_group_size": min_group_size,
                 "marts_schema": marts_schema}  # fmt: skip
    return [
        command,
        "--project-dir", dbt_project_dir(),
        "--profiles-dir", dbt_project_dir(),
        "--target-path", str(target / "target"),
        "--log-path", str(target / "logs"),
        "--vars", json.dumps(variables),
        "--log-level", "warn",
        "--no-use-colors",
        "--no-partial-parse",
    ]  # fmt: skip


def build_marts(dsn: str, as_of: dt.date, min_group_size: int) -> BuildOutcome:
    """Run ``dbt build`` into the build schema; raise BuildFailed naming each failed node."""
    from dbt.cli.main import dbtRunner

    with connect(dsn, autocommit=True) as conn:
        conn.execute(f"drop schema if exists {BUILD_SCHEMA} cascade")
    os.environ.update(dbt_connection_env(dsn))
    result = dbtRunner().invoke(dbt_args("build", as_of, min_group_size, BUILD_SCHEMA))
    failures: list[str] = []
    nodes = 0
    for node_result in getattr(result.result, "results", None) or []:
        nodes += 1
        status = str(node_result.status)
        if status in ("error", "fail", "runtime error"):
            name = node_result.node.name
            message = (node_result.message or status).splitlines()[0][:300]
            failures.append(f"{name}: {message}")
    if result.exception is not None:
        failures.append(f"dbt: {type(result.exception).__name__}: {result.exception}")
    if not result.success or failures:
        raise BuildFailed("dbt build failed: " + "; ".join(failures or ["unknown error"]))
    return BuildOutcome(success=True, nodes=nodes)
