"""dbt source freshness, then one ``dbt build`` (staging → intermediate → marts, with every test).

Marts are built into ``marts_build`` beside the published ``marts``. A failure is isolated to
what depends on it: a mart is *blocked* when it, or anything upstream of it, failed to build or
failed an error-level test, or when one of its sources is past its freshness ``error_after``.
publish.py swaps in the marts that were not blocked and keeps last night's version of the rest.
The outcome of every mart is recorded in ``audit.mart_outcomes``; MTU respondents and invitations
on a unit outside their round's org tree are recorded in ``audit.mtu_units_outside_tree``.

The heavy per-round MTU models are dbt incremental models: a night rebuilds only the survey
rounds whose inputs changed (``int_mtu_round_signatures``); the HR history models are kept while
the loads they read are unchanged (``macros/incremental_inputs.sql``). Everything is rebuilt from scratch
(``dbt build --full-refresh``) when asked (``culture run --full-refresh``) or when the *build
fingerprint* differs from the one recorded in ``audit.dbt_build_state``: a hash of every file of
the dbt project, k and the dbt version, so a code change or another k never mixes with rounds
built before it. The fingerprint is recorded only after a build without a failed node.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from psycopg import sql

from culture_warehouse import audit
from culture_warehouse.apart import in_own_process
from culture_warehouse.config import project_dir, state_dir
from culture_warehouse.dbt_order import longest_chain_first, order_seconds, remember_seconds
from culture_warehouse.parameters import check_run_id
from culture_warehouse.warehouse import connect, dbt_connection_env

log = logging.getLogger(__name__)

BUILD_SCHEMA = "marts_build"
FAILED = ("error", "fail", "runtime error", "skipped")
SECONDS_PER_DAY = 86_400
UNITS_OUTSIDE_TREE_MODEL = "int_mtu_units_outside_tree"


class BuildFailed(RuntimeError):
    """dbt could not run at all (a parse or connection error); the previous marts stay published."""


@dataclass(frozen=True)
class Freshness:
    """How old one source table's data is on the night, against its thresholds."""

    source: str
    table: str
    unique_id: str
    data_as_of: dt.date | None
    age_days: int | None
    status: str
    warn_after_days: int | None
    error_after_days: int | None

    @property
    def blocks(self) -> bool:
        return self.status == "error"

    def describe(self) -> str:
        limit = f" (error after {self.error_after_days} days)" if self.error_after_days else ""
        return f"{self.source}.{self.table}: data as of {self.data_as_of}, {self.age_days} days old{limit}"


@dataclass(frozen=True)
class BuildOutcome:
    nodes: int
    marts: tuple[str, ...]
    blocked: Mapping[str, str] = field(default_factory=dict)
    freshness: tuple[Freshness, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "dbt_nodes": self.nodes,
            "marts_built": sorted(set(self.marts) - set(self.blocked)),
            "marts_blocked": dict(sorted(self.blocked.items())),
            "stale_sources": [f.describe() for f in self.freshness if f.status in ("warn", "error")],
        }


def dbt_project_dir() -> str:
    return str(project_dir() / "dbt_project")


def dbt_target_dir() -> Path:
    return state_dir() / "dbt" / "target"


def dbt_threads() -> int | None:
    """The threads of the project's dbt profile (``profiles.yml``), None when it does not say."""
    try:
        profile = yaml.safe_load((Path(dbt_project_dir()) / "profiles.yml").read_text())
        threads = profile["culture_warehouse"]["outputs"]["warehouse"]["threads"]
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return None
    return threads if isinstance(threads, int) and threads > 0 else None


def node_seconds_file(full_refresh: bool) -> Path:
    """Each dbt node's seconds in the last full (or incremental) build: the next one's order."""
    return state_dir() / "dbt" / f"node_seconds_{'full' if full_refresh else 'incremental'}.json"


def dbt_args(
    command: str,
    as_of: dt.date,
    min_group_size: int,
    marts_schema: str,
    run_id: str = "",
    log_level: str = "warn",
    target_path: Path | None = None,
) -> list[str]:
    """The dbt command line shared by the pipeline and by operators debugging a night by hand.

    The variables travel as one JSON argument (no shell); the run id is checked first, and the
    models quote it as a SQL literal (macro ``sql_string``)."""
    if run_id:
        check_run_id(run_id)
    variables = {"as_of": as_of.isoformat(), "min_group_size": min_group_size,
                 "marts_schema": marts_schema, "run_id": run_id}  # fmt: skip
    return [
        *command.split(),
        "--project-dir", dbt_project_dir(),
        "--profiles-dir", dbt_project_dir(),
        "--target-path", str(target_path or dbt_target_dir()),
        "--log-path", str(state_dir() / "dbt" / "logs"),
        "--vars", json.dumps(variables),
        "--log-level", log_level,
        "--no-use-colors",
        "--no-partial-parse",
    ]  # fmt: skip


def build_fingerprint(min_group_size: int) -> str:
    """A hash of every file of the dbt project (models, macros, seeds, settings), k and dbt's version:
    when it changes, the incremental models are rebuilt from scratch."""
    from dbt.version import __version__ as dbt_version

    digest = hashlib.sha256(f"dbt {dbt_version}\nk {min_group_size}\n".encode())
    root = Path(dbt_project_dir())
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        # dbt writes .user.yml (its anonymous user id) on its first run: not part of the project
        if (
            not path.is_file()
            or relative.parts[0] in ("target", "logs", "dbt_packages")
            or any(part.startswith(".") for part in relative.parts)
        ):
            continue
        digest.update(f"{relative.as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def analyze_loaded_tables(dsn: str, schemas: tuple[str, ...] = ("raw", "audit")) -> list[str]:
    """ANALYZE every source table whose rows changed since it was last analyzed; their names.

    The door's loads have just filled the raw tables, and autovacuum analyzes them only when it
    gets to them: a dbt build that began first planned its queries on empty statistics (at
    state scale one uniqueness test over 1.2 M absence rows took 35.9 s instead of 0.9 s when
    autoanalyze had not yet run). A table the warehouse's user does not own is skipped by
    PostgreSQL with a warning, never an error.
    """
    with connect(dsn, autocommit=True) as conn:
        tables = conn.execute(
            "select schemaname, relname from pg_stat_user_tables"
            " where schemaname = any(%s) and n_mod_since_analyze > 0 order by 1, 2",
            (list(schemas),),
        ).fetchall()
        for schema, table in tables:
            conn.execute(sql.SQL("analyze {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
    return [f"{schema}.{table}" for schema, table in tables]


def needs_full_refresh(dsn: str, fingerprint: str) -> bool:
    with connect(dsn) as conn:
        return audit.dbt_build_fingerprint(conn) != fingerprint


def build_marts(
    dsn: str, as_of: dt.date, min_group_size: int, run_id: str = "", full_refresh: bool = False
) -> BuildOutcome:
    """Check source freshness, build every model into the build schema, decide which marts are blocked.

    The incremental models rebuild only what changed, unless ``full_refresh`` is asked for or the
    build fingerprint changed. Raises BuildFailed only when dbt could not run at all; a failing
    model or test blocks the marts downstream of it and is reported in the outcome.
    """
    fingerprint = build_fingerprint(min_group_size)
    if not full_refresh and needs_full_refresh(dsn, fingerprint):
        log.info("dbt build: the project, k or dbt changed since the last build: a full refresh")
        full_refresh = True
    with connect(dsn, autocommit=True) as conn:
        if full_refresh:  # until the full build succeeds, a later night rebuilds from scratch too
            audit.forget_dbt_build_fingerprint(conn)
        conn.execute(f"drop schema if exists {BUILD_SCHEMA} cascade")
    analyze_loaded_tables(dsn)
    # dbt in a process of its own: what it leaves behind (160-260 MB at state scale) is given back
    # before the disclosure control starts its two search processes beside this one (apart.py).
    ran = in_own_process(_run_dbt, dsn, as_of, min_group_size, run_id, full_refresh, what="dbt")
    freshness = ran.freshness
    for check in freshness:
        if check.status in ("warn", "error", "runtime error"):
            log.warning("source freshness %s: %s", check.status, check.describe())
    node_results = ran.nodes
    if not node_results:
        raise BuildFailed("dbt build ran no nodes")
    manifest = json.loads((dbt_target_dir() / "manifest.json").read_text())
    marts = mart_models(manifest)
    failures = {
        node.unique_id: (node.name, node.status, node.message)
        for node in node_results
        if node.status in FAILED
    }
    blocked = blocked_marts(manifest, marts, failures, [f for f in freshness if f.blocks])
    outcome = BuildOutcome(
        nodes=len(node_results), marts=tuple(sorted(marts.values())), blocked=blocked, freshness=freshness
    )
    _record_outcomes(dsn, run_id, outcome)
    if not any(unique_id.startswith("model.") for unique_id in failures):  # a failed test changes no table
        with connect(dsn) as conn:
            audit.record_dbt_build_fingerprint(conn, fingerprint, run_id)
    built = {node.name for node in node_results if node.status == "success"}
    if UNITS_OUTSIDE_TREE_MODEL in built:
        _record_units_outside_tree(dsn, run_id)
    return outcome


@dataclass(frozen=True)
class NodeRun:
    """One node of a dbt build, as the build reported it."""

    unique_id: str
    name: str
    status: str
    message: str  # the first line of dbt's message (status when there is none)


@dataclass(frozen=True)
class DbtRun:
    freshness: tuple[Freshness, ...]
    nodes: tuple[NodeRun, ...]


def _run_dbt(dsn: str, as_of: dt.date, min_group_size: int, run_id: str, full_refresh: bool) -> DbtRun:
    """Parse the project once, check source freshness, build (in a process of its own)."""
    from dbt.cli.main import dbtRunner
    from dbt.contracts.graph.manifest import Manifest

    os.environ.update(dbt_connection_env(dsn))
    # The project is parsed once for the freshness check and the build (each parse is 1.5-3 s).
    parsed = dbtRunner().invoke(dbt_args("parse", as_of, min_group_size, BUILD_SCHEMA, run_id))
    if parsed.exception is not None or not isinstance(parsed.result, Manifest):
        raise BuildFailed(f"dbt parse: {type(parsed.exception).__name__}: {parsed.exception}")
    runner = dbtRunner(manifest=parsed.result)
    # dbt's own freshness lines call a never-delivered source "ERROR STALE"; we log our reading.
    checked = runner.invoke(
        dbt_args("source freshness", as_of, min_group_size, BUILD_SCHEMA, run_id, log_level="none")
    )
    if checked.exception is not None:
        raise BuildFailed(f"dbt source freshness: {type(checked.exception).__name__}: {checked.exception}")
    freshness = tuple(_freshness(checked.result, as_of))
    _record_freshness(dsn, run_id, as_of, freshness)  # recorded even when the build cannot run
    build = "build --full-refresh" if full_refresh else "build"
    # The longest chain of work first, as the last build measured it, or as the project ships it
    # for a warehouse never built (dbt_order.py).
    timings = node_seconds_file(full_refresh)
    seconds = order_seconds(timings, node_seconds_file(not full_refresh))
    with longest_chain_first(seconds, dbt_threads()):
        result = runner.invoke(dbt_args(build, as_of, min_group_size, BUILD_SCHEMA, run_id))
    if result.exception is not None:
        raise BuildFailed(f"dbt build: {type(result.exception).__name__}: {result.exception}")
    node_results = list(getattr(result.result, "results", None) or [])
    remember_seconds(timings, ((str(r.node.unique_id), float(r.execution_time or 0.0)) for r in node_results))
    nodes = tuple(
        NodeRun(
            str(r.node.unique_id), str(r.node.name), str(r.status), _first_line(r.message or str(r.status))
        )
        for r in node_results
    )
    return DbtRun(freshness, nodes)


DOCS_FILES = ("index.html", "static_index.html", "manifest.json", "catalog.json")


def docs_dir() -> Path:
    """Where the dbt docs site is written: ``.culture/docs`` (``CULTURE_HOME/docs``)."""
    return state_dir() / "docs"


def generate_docs(dsn: str, as_of: dt.date, min_group_size: int) -> Path:
    """Write the dbt docs site of the published marts into :func:`docs_dir`.

    The catalog is read from ``marts`` (what BI reads, comments included), in its own target
    folder so the night's manifest is left alone; ``static_index.html`` is the whole site in one
    file that opens without a web server. The files are replaced together at the end.
    """
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_connection_env(dsn))
    target = state_dir() / "dbt" / "docs-target"
    args = dbt_args("docs generate", as_of, min_group_size, "marts", target_path=target)
    result = dbtRunner().invoke([*args, "--static"])
    if result.exception is not None or not result.success:
        raise BuildFailed(f"dbt docs generate: {type(result.exception).__name__}: {result.exception}")
    out = docs_dir()
    staging = out.with_name(out.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in DOCS_FILES:
        shutil.copy2(target / name, staging / name)
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return out


def mart_models(manifest: Mapping[str, Any]) -> dict[str, str]:
    """unique_id → table name of every model and seed built into the marts schema."""
    return {
        unique_id: str(node.get("alias") or node["name"])
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed") and node.get("schema") == BUILD_SCHEMA
    }


def blocked_marts(
    manifest: Mapping[str, Any],
    marts: Mapping[str, str],
    failures: Mapping[str, tuple[str, str, str]],
    stale: Iterable[Freshness],
) -> dict[str, str]:
    """mart table → why it must not be published tonight.

    A failed data or unit test taints the nodes it tests; a failed (or skipped) model taints
    itself; a source past ``error_after`` taints itself. A mart is blocked when it or any
    ancestor is tainted, and the reason names the first cause in a stable order.
    """
    nodes = {**manifest.get("unit_tests", {}), **manifest["nodes"]}
    causes: dict[str, str] = {}
    for unique_id, (name, status, message) in sorted(failures.items()):
        if status == "skipped":
            continue  # skipped because something upstream failed: that failure is the cause
        tested = nodes.get(unique_id, {}).get("depends_on", {}).get("nodes", [])
        targets = tested if unique_id.startswith(("test.", "unit_test.")) else [unique_id]
        for target in targets:
            causes.setdefault(target, f"dbt {status}: {name}: {message}")
    for fresh in stale:
        causes.setdefault(fresh.unique_id, f"source too old: {fresh.describe()}")
    parents: Mapping[str, list[str]] = manifest.get("parent_map", {})
    blocked: dict[str, str] = {}
    for unique_id, table in marts.items():
        reason = _first_cause(unique_id, parents, causes)
        if reason is None and failures.get(unique_id, ("", "", ""))[1] == "skipped":
            reason = "dbt skipped it because an upstream node failed"
        if reason is not None:
            blocked[table] = reason
    return blocked


def _first_line(message: str) -> str:
    """The message's first line; for a broken model contract, which columns do not match."""
    lines = message.strip().splitlines() or [""]
    if "enforced contract that failed" not in message:
        return lines[0][:300]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines if "|" in line]
    mismatches = [
        f"{row[0]} {row[-1]}" for row in rows[1:] if len(row) == 4 and not set(row[0]) <= {"-", ":"}
    ]
    return f"the enforced contract failed: {'; '.join(mismatches)}"[:300]


def _first_cause(start: str, parents: Mapping[str, list[str]], causes: Mapping[str, str]) -> str | None:
    seen: set[str] = set()
    frontier = [start]
    found: list[str] = []
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        if node in causes:
            found.append(node)
        frontier.extend(parents.get(node, []))
    return causes[min(found)] if found else None


def _freshness(result: Any, as_of: dt.date) -> Iterable[Freshness]:
    for checked in getattr(result, "results", None) or []:
        node = checked.node
        if str(getattr(node, "resource_type", "")) not in ("source", "NodeType.Source"):
            continue  # the on-run-start hook
        config = node.config.freshness if getattr(node.config, "freshness", None) else node.freshness
        warn_days = _days(getattr(config, "warn_after", None))
        error_days = _days(getattr(config, "error_after", None))
        max_loaded_at = getattr(checked, "max_loaded_at", None)
        status = str(checked.status)
        if max_loaded_at is None or max_loaded_at.year < 1900:
            status = status if status == "runtime error" else "no data"
            yield Freshness(node.source_name, node.name, node.unique_id, None, None,
                            status, warn_days, error_days)  # fmt: skip
            continue
        data_as_of = max_loaded_at.date()
        yield Freshness(node.source_name, node.name, node.unique_id, data_as_of, (as_of - data_as_of).days,
                        status, warn_days, error_days)  # fmt: skip


def _days(threshold: Any) -> int | None:
    count = getattr(threshold, "count", None)
    period = str(getattr(threshold, "period", "") or "")
    if not count or not period:
        return None
    per_day = {"day": 1.0, "hour": 1 / 24, "minute": 1 / 1440}
    return round(int(count) * per_day.get(period.split(".")[-1].lower(), 1.0))


def _record_freshness(dsn: str, run_id: str, as_of: dt.date, checks: Iterable[Freshness]) -> None:
    with connect(dsn) as conn:
        audit.record_freshness(conn, run_id, as_of, checks)


def _record_outcomes(dsn: str, run_id: str, outcome: BuildOutcome) -> None:
    with connect(dsn) as conn:
        audit.record_build_outcomes(conn, run_id, outcome.marts, outcome.blocked)


def _record_units_outside_tree(dsn: str, run_id: str) -> None:
    """Report MTU respondents and invitations that count for no unit: their unit is not in the tree."""
    with connect(dsn) as conn:
        reasons = audit.record_units_outside_tree(conn, run_id, f"intermediate.{UNITS_OUTSIDE_TREE_MODEL}")
    for reason in reasons:
        log.warning("MTU: %s", reason)
