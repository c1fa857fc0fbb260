"""The build fingerprint decides when the incremental models are rebuilt from scratch: it follows
the dbt project's own files and k, and nothing dbt writes beside them while it runs. And the
build plans on fresh statistics: the tables the door just filled are analyzed first."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import psycopg
import pytest

from conftest import fresh_database
from culture_warehouse.config import project_dir
from culture_warehouse.transform import analyze_loaded_tables, build_fingerprint


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the dbt project, set as the project the fingerprint reads."""
    shutil.copytree(
        project_dir() / "dbt_project", tmp_path / "dbt_project", ignore=shutil.ignore_patterns(".*")
    )
    monkeypatch.setenv("CULTURE_PROJECT_DIR", str(tmp_path))
    return tmp_path / "dbt_project"


def test_what_dbt_writes_while_it_runs_does_not_change_the_fingerprint(project: Path) -> None:
    before = build_fingerprint(5)
    (project / ".user.yml").write_text("id: 5f0c6a1e-0000-0000-0000-000000000000\n")  # dbt's first run
    (project / "target").mkdir()
    (project / "target" / "manifest.json").write_text("{}")
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("a night\n")
    assert build_fingerprint(5) == before


def test_a_changed_model_or_another_k_changes_the_fingerprint(project: Path) -> None:
    before = build_fingerprint(5)
    assert build_fingerprint(10) != before
    model = next((project / "models").rglob("*.sql"))
    model.write_text(model.read_text() + "\n-- changed\n")
    assert build_fingerprint(5) != before


def test_the_tables_the_door_filled_are_analyzed_before_dbt_plans_on_them(pg_server: str) -> None:
    with fresh_database(pg_server) as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("create schema raw")
            conn.execute("create table raw.loaded (n integer)")
            conn.execute("create table raw.untouched (n integer)")
            conn.execute("insert into raw.loaded select generate_series(1, 5000)")
        _wait_for_statistics(dsn, "loaded")  # a closed session's counts reach the views shortly after
        assert analyze_loaded_tables(dsn) == ["raw.loaded"]
        with psycopg.connect(dsn) as conn:
            planned = conn.execute(
                "select c.reltuples, s.n_mod_since_analyze from pg_class c"
                " join pg_stat_user_tables s on s.relid = c.oid where s.relname = 'loaded'"
            ).fetchone()
        assert planned == (5000.0, 0)
        assert analyze_loaded_tables(dsn) == []  # nothing new since: nothing analyzed again


def _wait_for_statistics(dsn: str, table: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(100):
            row = conn.execute(
                "select n_mod_since_analyze from pg_stat_user_tables where relname = %s", (table,)
            ).fetchone()
            if row and row[0]:
                return
            time.sleep(0.1)
    raise AssertionError(f"no statistics for {table}")
