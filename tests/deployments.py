"""Airflow started as a deployment runs it, for the scheduler tests (culture_dev.airflow_local).

The scheduler, the DAG processor and the API server on a free port, and under the CeleryExecutor
Celery workers as well, with their metadata (and Celery's messages) in databases of their own on
the test server, a fresh warehouse and a generated drop: what ``make airflow`` starts, in a
temporary folder.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from conftest import fresh_database, with_database
from culture_dev.airflow_local import (
    LocalAirflow,
    airflow_environment,
    broker_database,
    free_port,
    metadata_database,
    running_airflow,
)
from culture_dev.generate import generate_landing


@dataclass
class LocalDeployment:
    airflow: LocalAirflow
    warehouse: str
    landing: Path
    metadata: str  # Airflow's metadata database (XCom, task instances), as a psycopg DSN


@contextmanager
def local_deployment(
    pg_server: str,
    root: Path,
    as_of: dt.date,
    *,
    workers: int = 0,
    env: Mapping[str, str] | None = None,
) -> Iterator[LocalDeployment]:
    """Airflow on ``root`` with a drop of 200 employees; ``workers`` > 0: the CeleryExecutor."""
    landing = root / "landing"
    generate_landing(landing, employees=200, seed=11, as_of=as_of)
    database = f"airflow_{uuid.uuid4().hex[:8]}"
    broker = f"{database}_celery"
    metadata = metadata_database(pg_server, database)
    try:
        with fresh_database(pg_server) as warehouse:
            environment = airflow_environment(
                root / "airflow",
                metadata,
                warehouse,
                free_port(),
                parallelism=2,
                scheduled_runs=False,
                celery_broker=broker_database(pg_server, broker) if workers else None,
            )
            environment |= {"CULTURE_LANDING": str(landing), "CULTURE_MAX_ACTIVE_TASKS": "2", **(env or {})}
            with running_airflow(environment, workers=workers) as airflow:
                airflow.wait_until_ready(timeout=300)
                yield LocalDeployment(airflow, warehouse, landing, with_database(pg_server, database))
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            for name in (database, broker):
                conn.execute(f"drop database if exists {name} with (force)")
