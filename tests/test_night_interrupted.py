"""``culture run`` stops within seconds on SIGTERM or Ctrl-C, in the middle of loading, and leaves
the ledger consistent: no load is left half-done, the run is closed as failed with the reason,
and the next run loads every file exactly once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from culture_dev.generate import generate_landing
from nights import query

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

AS_OF = dt.date(2026, 10, 1)
CULTURE = Path(sys.executable).with_name("culture")
PROMPTLY = 30.0
LOADED = "select count(*) from audit.load_ledger where status = 'loaded'"
RUNS = "select status, reason from audit.runs"


def culture_run(landing: Path, dsn: str, home: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "CULTURE_WAREHOUSE_DSN": "",
        "CULTURE_HOME": str(home / "culture"),
        "AIRFLOW_HOME": str(home / "airflow"),
    }
    command = [str(CULTURE), "run", "--landing", str(landing), "--dsn", dsn, "--as-of", str(AS_OF)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def wait_until_files_are_loading(dsn: str, process: subprocess.Popen[str]) -> None:
    """Until the night has loaded a few files and is inside the door."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        with psycopg.connect(dsn) as conn:
            exists = conn.execute("select to_regclass('audit.load_ledger')").fetchone()
            if exists and exists[0]:
                row = conn.execute(LOADED).fetchone()
                if row and row[0] >= 3:
                    return
        time.sleep(0.05)
    raise AssertionError("the night never started loading")


def interrupt_a_night(dsn: str, tmp_path: Path, stop: signal.Signals) -> Path:
    """Start ``culture run`` on a generated drop and send ``stop`` while it loads files."""
    landing = tmp_path / "landing"
    generate_landing(landing, employees=400, seed=7, as_of=AS_OF)
    interrupted = culture_run(landing, dsn, tmp_path)
    wait_until_files_are_loading(dsn, interrupted)
    signalled = time.monotonic()
    interrupted.send_signal(stop)
    output, _ = interrupted.communicate(timeout=120)
    assert time.monotonic() - signalled < PROMPTLY, output[-3000:]
    assert interrupted.returncode == 128 + stop, output[-3000:]
    assert f"stopped by {stop.name}" in output
    return landing


def test_ctrl_c_stops_culture_run_promptly_and_closes_the_run_as_interrupted(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    interrupt_a_night(warehouse_dsn, tmp_path, signal.SIGINT)
    assert query(warehouse_dsn, RUNS) == [("failed", "interrupted by SIGINT")]
    assert query(warehouse_dsn, "select count(*) from audit.load_ledger where status = 'loading'") == [(0,)]


def test_sigterm_stops_culture_run_promptly_and_the_next_run_loads_every_file_once(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    landing = interrupt_a_night(warehouse_dsn, tmp_path, signal.SIGTERM)
    assert query(warehouse_dsn, RUNS) == [("failed", "interrupted by SIGTERM")]
    assert query(warehouse_dsn, "select count(*) from audit.load_ledger where status = 'loading'") == [(0,)]
    loaded_before = query(warehouse_dsn, LOADED)[0][0]
    assert loaded_before >= 3

    again = culture_run(landing, warehouse_dsn, tmp_path)
    output, _ = again.communicate(timeout=800)
    assert again.returncode == 0, output[-3000:]
    assert (
        query(
            warehouse_dsn,
            "select path from audit.load_ledger where status in ('loaded', 'loading')"
            " group by path having count(*) > 1",
        )
        == []
    )
    assert query(warehouse_dsn, "select count(*) from audit.load_ledger where status = 'loading'") == [(0,)]
    assert query(warehouse_dsn, LOADED)[0][0] > loaded_before


def test_sigterm_during_the_dbt_build_stops_the_build_too(warehouse_dsn: str, tmp_path: Path) -> None:
    """dbt builds in a process of its own (apart.py): stopping the night stops that process and
    cancels its queries, so no build goes on behind a stopped night."""
    landing = tmp_path / "landing"
    generate_landing(landing, employees=400, seed=7, as_of=AS_OF)
    night = culture_run(landing, warehouse_dsn, tmp_path)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and night.poll() is None:  # dbt records freshness, then builds
        exists = query(warehouse_dsn, "select to_regclass('audit.source_freshness') is not null")[0][0]
        if exists and query(warehouse_dsn, "select count(*) from audit.source_freshness")[0][0]:
            break
        time.sleep(0.05)
    assert night.poll() is None, "the night ended before its dbt build"
    time.sleep(1.0)  # inside the build
    signalled = time.monotonic()
    night.send_signal(signal.SIGTERM)
    output, _ = night.communicate(timeout=120)
    assert time.monotonic() - signalled < PROMPTLY, output[-3000:]
    assert night.returncode == 128 + signal.SIGTERM, output[-3000:]
    assert query(warehouse_dsn, RUNS) == [("failed", "interrupted by SIGTERM")]
    others = (
        "select count(*) from pg_stat_activity where datname = current_database()"
        " and pid <> pg_backend_pid() and backend_type = 'client backend'"
    )
    deadline = time.monotonic() + 10
    while query(warehouse_dsn, others)[0][0] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert query(warehouse_dsn, others) == [(0,)], "a connection of the stopped night is still open"
    # The build did not go on to its end (the scorecard is among the last models it builds).
    assert query(warehouse_dsn, "select to_regclass('marts_build.culture_scorecard')") == [(None,)]
