"""``make airflow`` and the scheduler tests' Airflow (culture_dev.airflow_local), without starting it.

The processes themselves run in the slow tests (test_scheduler.py, test_celery_workers.py).
"""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest

from culture_dev.airflow_local import AirflowError, LocalAirflow, airflow_environment, broker_database

ROOT = Path(__file__).resolve().parents[1]
METADATA = "postgresql+psycopg2://postgres@/airflow?host=/tmp/pg"
WAREHOUSE = "postgresql://postgres@/warehouse?host=/tmp/pg"


def test_without_a_broker_the_scheduler_runs_the_tasks_itself(tmp_path: Path) -> None:
    env = airflow_environment(tmp_path, METADATA, WAREHOUSE, 8080)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert not [key for key in env if key.startswith("AIRFLOW__CELERY__")]
    assert list(LocalAirflow(env).components) == ["scheduler", "dag-processor", "api-server"]


def test_with_a_broker_celery_workers_run_the_tasks_and_keep_results_in_the_metadata_database(
    tmp_path: Path,
) -> None:
    broker = "sqla+postgresql+psycopg2://postgres@/airflow_celery?host=/tmp/pg"
    env = airflow_environment(tmp_path, METADATA, WAREHOUSE, 8080, celery_broker=broker)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == broker
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == f"db+{METADATA}"
    assert env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "1"
    commands = LocalAirflow(env, workers=2).components
    assert commands["celery-worker-1"] == [
        "celery",
        "worker",
        "--celery-hostname",
        "worker1@%h",
        "--skip-serve-logs",  # the API server reads their task logs from the shared folder
    ]
    assert commands["celery-worker-2"][3] == "worker2@%h"
    assert len(commands) == 5


def test_workers_without_the_celery_executor_and_the_celery_executor_without_workers_are_refused(
    tmp_path: Path,
) -> None:
    local = airflow_environment(tmp_path, METADATA, WAREHOUSE, 8080)
    celery = airflow_environment(tmp_path, METADATA, WAREHOUSE, 8080, celery_broker="sqla+sqlite://")
    with pytest.raises(AirflowError):
        LocalAirflow(local, workers=1)
    with pytest.raises(AirflowError):
        LocalAirflow(celery, workers=0)


def test_the_broker_is_a_database_of_its_own_on_the_same_server(pg_server: str) -> None:
    name = f"broker_{uuid.uuid4().hex[:8]}"
    try:
        url = broker_database(pg_server, name)
        assert url.startswith("sqla+postgresql+psycopg2://") and f"/{name}" in url
        assert broker_database(pg_server, name) == url  # a second start finds it
        with psycopg.connect(pg_server) as conn:
            assert conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name}")


@pytest.mark.parametrize(
    ("arguments", "command"),
    [
        ([], "--executor local --workers 2"),
        (["EXECUTOR=celery"], "--executor celery --workers 2"),
        (["EXECUTOR=celery", "WORKERS=3"], "--executor celery --workers 3"),
    ],
)
def test_make_airflow_passes_the_executor_choice_on(arguments: list[str], command: str) -> None:
    done = subprocess.run(
        ["make", "--dry-run", "--always-make", "airflow", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert f"-m culture_dev.airflow_local {command}" in done.stdout
