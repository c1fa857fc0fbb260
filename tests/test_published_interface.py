"""The published interface as dbt means it: every mart has an enforced contract, is public, reads
its column descriptions in Danish and English from doc blocks, and is granted to BI by dbt.

The fast tests read the project's YAML; the slow ones build a night whose mart SQL no longer
matches its contract and show that the mart is not published.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from culture_warehouse import transform
from culture_warehouse.config import project_dir
from culture_warehouse.publish import PublishBlocked
from culture_warehouse.warehouse import BI_ROLE
from drops import write_hr_drop
from nights import query, run_night

DBT = project_dir() / "dbt_project"
MARTS = DBT / "models" / "marts"
DOC_CALL = re.compile(r"""^\{\{\s*doc\(["']([a-z0-9_]+)["']\)\s*\}\}$""")
DOC_BLOCK = re.compile(r"\{%\s*docs\s+([a-z0-9_]+)\s*%\}(.*?)\{%\s*enddocs\s*%\}", re.DOTALL)


def mart_models() -> dict[str, dict[str, Any]]:
    models: dict[str, dict[str, Any]] = {}
    for path in sorted(MARTS.rglob("*.yml")):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            models[model["name"]] = model
    return models


def doc_blocks() -> dict[str, str]:
    blocks: dict[str, str] = {}
    for path in sorted(DBT.rglob("*.md")):
        if "target" in path.parts:
            continue
        for name, text in DOC_BLOCK.findall(path.read_text()):
            assert name not in blocks, f"doc block {name} is defined twice"
            blocks[name] = text.strip()
    return blocks


def test_every_mart_sql_file_has_a_contract_in_yaml() -> None:
    models = mart_models()
    sql_files = {path.stem for path in MARTS.rglob("*.sql")}
    assert sql_files == set(models)


def test_the_marts_folder_enforces_contracts_and_is_public_and_granted_to_bi() -> None:
    project = yaml.safe_load((DBT / "dbt_project.yml").read_text())
    marts = project["models"]["culture_warehouse"]["marts"]
    assert marts["+contract"] == {"enforced": True}
    assert marts["+access"] == "public"
    assert marts["+grants"] == {"select": [BI_ROLE]}
    assert marts["+persist_docs"] == {"relation": True, "columns": True}
    assert project["seeds"]["culture_warehouse"]["+grants"] == {"select": [BI_ROLE]}


def test_every_mart_column_has_a_type_and_a_danish_and_english_doc_block() -> None:
    blocks = doc_blocks()
    seeds = yaml.safe_load((DBT / "seeds" / "_seeds.yml").read_text())["seeds"]
    for model in [*mart_models().values(), *seeds]:
        assert model["columns"], model["name"]
        for column in model["columns"]:
            where = f"{model['name']}.{column['name']}"
            if model in seeds:
                assert "data_type" not in column, where  # seeds take their types from column_types
            else:
                assert column.get("data_type"), f"{where} has no data_type in its contract"
            found = DOC_CALL.match(column.get("description", ""))
            assert found, f"{where} is not described by a doc block"
            text = blocks[found.group(1)]
            assert text.startswith("da: ") and "\n\nen: " in text, f"{where}: {found.group(1)} is not da + en"


def test_a_column_name_shared_by_marts_shares_one_doc_block() -> None:
    by_column: dict[str, set[str]] = {}
    for model in mart_models().values():
        for column in model["columns"]:
            by_column.setdefault(column["name"], set()).add(column["description"])
    shared = {name: docs for name, docs in by_column.items() if any("col_" in d for d in docs)}
    assert "org_unit_code" in shared
    assert len(shared["org_unit_code"]) == 1
    assert len(shared["survey_id"]) == 1


def broken_project(tmp_path: Path, mart: str, old: str, new: str) -> Path:
    """A copy of the project whose mart SQL renames a column the contract still names."""
    copy = tmp_path / "project"
    for folder in ("dbt_project", "expectations", "config"):
        shutil.copytree(
            project_dir() / folder, copy / folder, ignore=shutil.ignore_patterns("target", "logs")
        )
    (sql,) = (copy / "dbt_project" / "models" / "marts").rglob(f"{mart}.sql")
    text = sql.read_text()
    assert old in text
    sql.write_text(text.replace(old, new, 1))
    return copy


@pytest.mark.slow
def test_renaming_a_mart_column_without_changing_the_contract_fails_the_build_and_holds_it_back(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = write_hr_drop(tmp_path / "landing")
    monkeypatch.setenv(
        "CULTURE_PROJECT_DIR",
        str(broken_project(tmp_path, "dim_org_unit", "as is_current", "as is_current_version")),
    )
    with pytest.raises(PublishBlocked, match=r"dim_org_unit.*enforced contract failed"):
        run_night(landing, dt.date(2026, 7, 1))
    ((status, reason),) = query(
        warehouse_dsn,
        "select status, held_back_reason from marts.publication_status where mart = 'dim_org_unit'",
    )
    assert status == "not available"
    assert "is_current missing in definition" in reason
    assert "is_current_version" in reason
    published = {row[0] for row in query(warehouse_dsn, "select mart from marts.publication_status"
                                          " where status = 'published tonight'")}  # fmt: skip
    assert "source_freshness" in published  # the rest of the night still publishes


def test_a_broken_contract_is_reported_by_its_mismatched_columns() -> None:
    message = (
        "Compilation Error in model dim_org_unit (models/marts/org/dim_org_unit.sql)\n"
        "  This model has an enforced contract that failed.\n"
        "  Please ensure the name, data_type, and number of columns in your contract match the"
        " columns in your model's definition.\n\n"
        "  | column_name        | definition_type | contract_type | mismatch_reason       |\n"
        "  | ------------------ | --------------- | ------------- | --------------------- |\n"
        "  | is_current         |                 | BOOLEAN       | missing in definition |\n"
        "  | is_current_version | BOOLEAN         |               | missing in contract   |\n"
    )
    assert transform._first_line(message) == (
        "the enforced contract failed: is_current missing in definition;"
        " is_current_version missing in contract"
    )


def test_a_failing_unit_test_holds_back_the_marts_built_on_the_model_it_tests() -> None:
    manifest = {
        "nodes": {
            "model.p.int_mtu_item_scores": {"depends_on": {"nodes": []}},
            "model.p.mtu_dimension_results": {"depends_on": {"nodes": ["model.p.int_mtu_item_scores"]}},
            "model.p.dim_org_unit": {"depends_on": {"nodes": []}},
        },
        "unit_tests": {
            "unit_test.p.int_mtu_item_scores.reverse": {
                "depends_on": {"nodes": ["model.p.int_mtu_item_scores"]}
            }
        },
        "parent_map": {
            "model.p.mtu_dimension_results": ["model.p.int_mtu_item_scores"],
            "model.p.int_mtu_item_scores": [],
            "model.p.dim_org_unit": [],
        },
    }
    marts = {"model.p.mtu_dimension_results": "mtu_dimension_results", "model.p.dim_org_unit": "dim_org_unit"}
    failures = {
        "unit_test.p.int_mtu_item_scores.reverse": ("reverse", "fail", "actual differs from expected")
    }
    assert transform.blocked_marts(manifest, marts, failures, []) == {
        "mtu_dimension_results": "dbt fail: reverse: actual differs from expected"
    }


@pytest.mark.slow
def test_the_docs_site_documents_the_published_marts_with_their_danish_and_english_comments(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    from culture_warehouse import pipeline

    landing = write_hr_drop(tmp_path / "landing")
    run_night(landing, dt.date(2026, 7, 1))
    out = Path(str(pipeline.docs(dt.date(2026, 7, 1))["docs"]))
    assert sorted(p.name for p in out.iterdir()) == sorted(transform.DOCS_FILES)
    catalog = json.loads((out / "catalog.json").read_text())
    scorecard = catalog["nodes"]["model.culture_warehouse.culture_scorecard"]
    assert scorecard["metadata"]["schema"] == "marts"
    comment = scorecard["columns"]["n_employees"]["comment"]
    assert comment.startswith("da: Antal ansatte") and "\n\nen: Headcount" in comment
    manifest = json.loads((out / "manifest.json").read_text())
    exposures = {e["name"] for e in manifest["exposures"].values()}
    assert {"culture_report", "leadership_dashboards"} <= exposures
