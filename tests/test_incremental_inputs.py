"""A model rebuilt only when its inputs changed (macros/incremental_inputs.sql) must name every
load it reads: checked against dbt's own lineage, so a model or join added later cannot leave a
kept table stale. The incremental night's test proves the behaviour (tests/test_incremental_night.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from typing import Any

import pytest

from culture_warehouse.transform import dbt_args
from culture_warehouse.warehouse import dbt_connection_env

# The one model whose as-of dependence is the visible loads themselves, which the signature hashes.
VISIBLE_LOADS = "model.culture_warehouse.stg_audit__loaded_files"
# The scorecard's periods follow the as-of date: a model that says `periods=true` hashes them too.
PERIODS = "model.culture_warehouse.int_scorecard_periods"
AS_OF = re.compile(r"as_of_date\(\)|var\(\s*['\"]as_of['\"]")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from dbt.cli.main import dbtRunner

    target = tmp_path_factory.mktemp("target")
    saved = dict(os.environ)
    os.environ.update(dbt_connection_env("postgresql://parse@localhost/parse"))  # parse connects nowhere
    try:
        result = dbtRunner().invoke(
            dbt_args("parse", dt.date(2026, 10, 1), 5, "marts_build", log_level="none", target_path=target)
        )
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert result.success, result.exception
    return dict(json.loads((target / "manifest.json").read_text()))


def _ancestors(manifest: dict[str, Any], node: str) -> set[str]:
    seen: set[str] = set()
    pending = list(manifest["parent_map"][node])
    while pending:
        parent = pending.pop()
        if parent not in seen:
            seen.add(parent)
            pending += manifest["parent_map"].get(parent, [])
    return seen


def _load_name(source: dict[str, Any]) -> str:
    """raw_hr.hr_employees → hr/employees (the ledger's source and entity)."""
    origin = str(source["source_name"]).removeprefix("raw_")
    return f"{origin}/{str(source['name']).removeprefix(origin + '_')}"


def test_a_model_kept_while_its_inputs_are_unchanged_names_every_load_it_reads(
    manifest: dict[str, Any],
) -> None:
    kept = {
        uid: node["config"]["meta"]["inputs"]
        for uid, node in manifest["nodes"].items()
        if "inputs" in node["config"].get("meta", {})
    }
    assert {uid.split(".")[-1] for uid in kept} >= {
        "int_employee_versions",
        "int_employee_events",
        "int_scorecard_hr_without_absence",
        "int_hr_subtree_months_without_absence",
    }
    for uid, declared in kept.items():
        hashes_periods = bool(manifest["nodes"][uid]["config"]["meta"].get("periods"))
        ancestors = _ancestors(manifest, uid)
        reads = {
            _load_name(manifest["sources"][parent])
            for parent in ancestors
            if parent.startswith("source.") and manifest["sources"][parent]["source_name"] != "audit"
        }
        assert reads == set(declared), uid
        on_the_date = sorted(
            parent
            for parent in ancestors | {uid}
            if parent.startswith("model.")
            and parent != VISIBLE_LOADS
            and not (hashes_periods and parent == PERIODS)
            and AS_OF.search(manifest["nodes"][parent]["raw_code"])
        )
        assert on_the_date == [], f"{uid} reads the as-of date through {on_the_date}"
        if hashes_periods:  # the signature reads the periods: they are built before the model
            assert PERIODS in manifest["parent_map"][uid], uid


def test_the_check_sees_the_as_of_date_and_the_loads_of_a_model_that_could_not_be_kept(
    manifest: dict[str, Any],
) -> None:
    # The staffing per month follows the scorecard's periods, which follow the as-of date; the
    # months' subtree sums read the absence: neither may be kept while the HR history is.
    staffing = _ancestors(manifest, "model.culture_warehouse.int_staffing_by_unit_month")
    assert "model.culture_warehouse.int_scorecard_periods" in {
        p for p in staffing if p.startswith("model.") and AS_OF.search(manifest["nodes"][p]["raw_code"])
    }
    months = _ancestors(manifest, "model.culture_warehouse.int_hr_subtree_months")
    assert "hr/absence" in {_load_name(manifest["sources"][p]) for p in months if p.startswith("source.")}
    # A kept model that follows the periods without saying so is caught by the check above.
    for kept in (
        "int_scorecard_hr_without_absence",
        "int_hr_subtree_months_without_absence",
        "int_absence_month_suppression",
    ):
        node = manifest["nodes"][f"model.culture_warehouse.{kept}"]
        assert node["config"]["meta"]["periods"] is True, kept
        assert PERIODS in _ancestors(manifest, node["unique_id"])
