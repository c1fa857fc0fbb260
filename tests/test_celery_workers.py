"""The nightly DAG under the CeleryExecutor: Celery workers run the tasks (slow, ~3 minutes).

What the compose profile ``celery`` deploys, on this machine without Docker or Redis: the
scheduler runs the CeleryExecutor and two ``airflow celery worker`` processes (one task at a time
each) take the tasks from a broker in the same PostgreSQL (kombu's SQLAlchemy transport), started
by the same code as ``make airflow EXECUTOR=celery`` (culture_dev.airflow_local). Celery records
which worker ran each task (``celery_taskmeta.worker``), keyed by the Celery task id the scheduler
gave the task instance (``task_instance.external_executor_id``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from deployments import LocalDeployment, local_deployment
from nights import query

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 10, 1)
PERIOD_END = dt.date(2026, 9, 30)
WORKERS = 2


@pytest.fixture(scope="module")
def deployment(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalDeployment]:
    root = tmp_path_factory.mktemp("celery")
    with local_deployment(pg_server, root, AS_OF, workers=WORKERS) as local:
        yield local


def worker_of_each_task(deployment: LocalDeployment, run_id: str) -> dict[str, str | None]:
    """Task id → the Celery worker that ran it (None: no Celery result for it)."""
    celery_ids = dict(
        query(
            deployment.metadata,
            "select task_id, external_executor_id from task_instance where run_id = %s",
            run_id,
        )
    )
    workers = dict(
        query(
            deployment.metadata,
            "select task_id, worker from celery_taskmeta where task_id = any(%s) and status = 'SUCCESS'",
            [celery_id for celery_id in celery_ids.values() if celery_id],
        )
    )
    return {task: workers.get(celery_id) for task, celery_id in celery_ids.items()}


def test_a_night_under_the_celery_executor_spreads_the_ingest_over_both_workers_and_publishes(
    deployment: LocalDeployment,
) -> None:
    airflow = deployment.airflow
    assert airflow.env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    run_id = airflow.trigger({"landing": str(deployment.landing), "as_of": AS_OF.isoformat()})

    assert airflow.wait_for_run(run_id, timeout=900) == "success", airflow.task_states(run_id)
    states = airflow.task_states(run_id)
    assert set(states.values()) == {"success"}

    ran_on = worker_of_each_task(deployment, run_id)
    assert set(ran_on) == set(states)
    names = {worker for worker in ran_on.values() if worker}
    assert all(re.fullmatch(r"worker[12]@.+", name) for name in names), ran_on
    assert None not in ran_on.values(), ran_on  # every task, prepare to docs, ran on a Celery worker
    ingests = {task: worker for task, worker in ran_on.items() if task.startswith("ingest_")}
    assert len(ingests) == 5
    assert len(set(ingests.values())) == WORKERS, ingests  # the folders were spread over both

    runs = query(deployment.warehouse, "select as_of, status from audit.runs where run_id = %s", run_id)
    assert runs == [(AS_OF, "published")]
    statuses = dict(
        query(
            deployment.warehouse,
            "select mart, status from marts.publication_status where built_by_run = %s",
            run_id,
        )
    )
    assert statuses and set(statuses.values()) == {"published tonight"}
    scorecard = query(
        deployment.warehouse, "select count(*) from marts.culture_scorecard where period_end = %s", PERIOD_END
    )
    assert scorecard[0][0] > 0
    loaded = query(
        deployment.warehouse,
        "select count(distinct source) from audit.load_ledger where run_id = %s and status = 'loaded'",
        run_id,
    )
    assert loaded == [(5,)]

    # The API server reads a worker's task log from the shared logs folder.
    log = airflow.request(
        "GET", f"/api/v2/dags/culture_nightly/dagRuns/{run_id}/taskInstances/ingest_hr/logs/1"
    )
    assert "ingest" in str(log["content"])
