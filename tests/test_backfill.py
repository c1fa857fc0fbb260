"""Backfill: ``culture backfill`` and Airflow's own backfill rebuild the given nights in order.

Both go through the real DAG in-process. An Airflow backfill creates one run per logical date
and passes no ``as_of``; the DAG then builds the night of the logical date in Copenhagen time,
which ``run_scheduled_night`` reproduces without a scheduler.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drops import employees_csv, write_hr_drop
from nights import query

CULTURE = Path(sys.executable).with_name("culture")

pytestmark = pytest.mark.slow


def test_culture_backfill_rebuilds_each_night_in_date_order_and_the_last_one_is_published(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, "20260630", n_a=6, n_b=4)
    (tmp_path / "hr" / "employees_20260702.csv").write_text(employees_csv(8, 4), encoding="utf-8")
    env = {**os.environ, "CULTURE_WAREHOUSE_DSN": ""}
    done = subprocess.run(
        [str(CULTURE), "backfill", "--landing", str(tmp_path), "--dsn", warehouse_dsn,
         "--from", "2026-07-01", "--to", "2026-07-03"],
        capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    runs = query(warehouse_dsn, "select as_of, status from audit.runs order by started_at")
    assert runs == [
        (dt.date(2026, 7, 1), "published"),
        (dt.date(2026, 7, 2), "published"),
        (dt.date(2026, 7, 3), "published"),
    ]
    # Night 1 saw only the first snapshot; the later snapshot was loaded by night 2, not before.
    loaded = query(
        warehouse_dsn,
        "select l.file_name, r.as_of from audit.load_ledger l join audit.runs r using (run_id)"
        " where l.file_name like 'employees_%%' order by 1",
    )
    assert loaded == [
        ("employees_20260630.csv", dt.date(2026, 7, 1)),
        ("employees_20260702.csv", dt.date(2026, 7, 2)),
    ]
    assert query(warehouse_dsn, "select distinct built_for_night from marts.publication_status") == [
        (dt.date(2026, 7, 3),)
    ]


def test_culture_backfill_refuses_a_range_that_ends_before_it_starts(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(CULTURE), "backfill", "--landing", str(tmp_path), "--from", "2026-07-03", "--to", "2026-07-01"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--to is before --from" in done.stderr


def test_an_airflow_backfill_run_builds_the_night_of_its_logical_date_in_copenhagen(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, "20260630")
    code = (
        "import pendulum\n"
        "from culture_warehouse.airflow_runner import prepare_airflow_environment, run_scheduled_night\n"
        "prepare_airflow_environment()\n"
        # 22:30 UTC on 30 June is already 1 July in Copenhagen (summer time).
        "for logical in (pendulum.datetime(2026, 6, 30, 22, 30, tz='UTC'),"
        " pendulum.datetime(2026, 7, 2, 2, tz='Europe/Copenhagen')):\n"
        "    print(run_scheduled_night(logical).state)\n"
    )
    env = {**os.environ, "CULTURE_WAREHOUSE_DSN": warehouse_dsn, "CULTURE_LANDING": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    states = [line for line in done.stdout.splitlines() if line in ("success", "failed")]
    assert states == ["success", "success"], done.stdout[-2000:]
    assert query(warehouse_dsn, "select as_of, status from audit.runs order by started_at") == [
        (dt.date(2026, 7, 1), "published"),
        (dt.date(2026, 7, 2), "published"),
    ]


def test_a_lost_key_is_replaced_by_replaying_the_landing_zone_into_a_new_warehouse(
    pg_server: str, tmp_path: Path
) -> None:
    """Key rotation as docs/operations.md describes it: the same landing zone replayed with
    ``culture backfill`` under a new key into a new database gives the same marts, other
    pseudonyms, and the new key's fingerprint."""
    from conftest import fresh_database
    from culture_warehouse.privacy import key_fingerprint

    write_hr_drop(tmp_path, "20260630", n_a=6, n_b=4)
    keys = ("a" * 64, "b" * 64)
    scorecards, pseudonyms = [], []
    for key in keys:
        with fresh_database(pg_server) as dsn:
            env = {
                **os.environ,
                "CULTURE_WAREHOUSE_DSN": "",
                "CULTURE_ENV": "production",
                "CULTURE_PSEUDONYM_KEY": key,
            }
            done = subprocess.run(
                [str(CULTURE), "backfill", "--landing", str(tmp_path), "--dsn", dsn,
                 "--from", "2026-07-01", "--to", "2026-07-01"],
                capture_output=True, text=True, env=env, timeout=900,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            scorecards.append(query(dsn, "select * from marts.culture_scorecard order by 1, 2"))
            pseudonyms.append({row[0] for row in query(dsn, "select employee_number from raw.hr_employees")})
            assert query(dsn, "select fingerprint from audit.pseudonym_key") == [
                (key_fingerprint(key.encode()),)
            ]
    assert scorecards[0] and scorecards[0] == scorecards[1]
    assert len(pseudonyms[0]) == 10 and pseudonyms[0].isdisjoint(pseudonyms[1])
