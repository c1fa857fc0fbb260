"""The benchmark's quick loop: the loader against a bare COPY of the same rows, on a small drop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # generates a drop and starts a PostgreSQL of its own


def test_culture_bench_loader_only_compares_the_loader_alone_and_reports_both_ratios(tmp_path: Path) -> None:
    """As an engineer working on the loader runs it (its own process: its PostgreSQL stops with it)."""
    workdir = tmp_path / "bench"
    command = [sys.executable, "-m", "culture_warehouse.cli", "bench", "--loader-only"]
    try:
        done = subprocess.run(
            [*command, "--employees", "1500", "--seed", "7", "--workdir", str(workdir)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        server_data = workdir / "pgdata"  # the bench's PostgreSQL lives outside the workdir
        if server_data.is_file():
            shutil.rmtree(server_data.read_text().strip(), ignore_errors=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "load comparison on employees_" in done.stdout
    assert "ours / fastest bare COPY speed:" in done.stdout
    assert "ours with the numbers already hashed / fastest bare COPY speed:" in done.stdout
    assert "dbt build" not in done.stdout  # nothing but the loader
