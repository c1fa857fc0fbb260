"""The build fingerprint decides when the incremental models are rebuilt from scratch: it follows
the dbt project's own files and k, and nothing dbt writes beside them while it runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from culture_warehouse.config import project_dir
from culture_warehouse.transform import build_fingerprint


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
