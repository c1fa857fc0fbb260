"""The DAG under Airflow's own processes, as a deployment runs it (slow, ~3 minutes).

Every other test of a night runs the DAG in-process (``dag.test()``). Here the scheduler
(LocalExecutor), the DAG processor and the API server run as separate processes with their
metadata in PostgreSQL, started by the same code as ``make airflow`` (culture_dev.airflow_local);
nights are triggered through the REST API with ``landing`` and ``as_of``, as an operator would.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from culture_dev.airflow_local import LocalAirflow
from deployments import local_deployment
from mail_server import Mailbox, local_mail_server
from nights import query

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 10, 1)
PERIOD_END = dt.date(2026, 9, 30)
BROKEN = "employees_20260915.csv"
CPR_IN_BROKEN_FILE = "150587-4321"


@dataclass
class Deployment:
    airflow: LocalAirflow
    warehouse: str
    landing: Path
    mail: Mailbox
    metadata: str  # Airflow's metadata database (XCom, task instances), as a psycopg DSN


@pytest.fixture(scope="module")
def deployment(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """Airflow's three processes on a free port, a fresh warehouse, a generated drop, a mail server."""
    with local_mail_server() as mail:
        alerts = {
            "conn_type": "smtp",
            "host": "127.0.0.1",
            "port": mail.port,
            # a relay on this host: the one case the alerts may go unencrypted
            "extra": {"to": "night-shift@example.dk", "disable_ssl": True, "disable_tls": True},
        }
        root = tmp_path_factory.mktemp("scheduler")
        with local_deployment(
            pg_server, root, AS_OF, env={"AIRFLOW_CONN_CULTURE_ALERTS": json.dumps(alerts)}
        ) as local:
            yield Deployment(local.airflow, local.warehouse, local.landing, mail, local.metadata)


def test_a_night_triggered_through_the_rest_api_runs_under_the_scheduler_and_publishes_the_marts(
    deployment: Deployment,
) -> None:
    airflow = deployment.airflow
    run_id = airflow.trigger({"landing": str(deployment.landing), "as_of": AS_OF.isoformat()})
    assert run_id.startswith("manual__")

    assert airflow.wait_for_run(run_id, timeout=900) == "success", airflow.task_states(run_id)
    states = airflow.task_states(run_id)
    assert set(states.values()) == {"success"}
    assert {"prepare", "ingest_hr", "ingest_mtu", "transform", "publish"} <= set(states)

    runs = query(deployment.warehouse, "select as_of, status from audit.runs where run_id = %s", run_id)
    assert runs == [(AS_OF, "published")]
    statuses = dict(
        query(
            deployment.warehouse,
            "select mart, status from marts.publication_status where built_by_run = %s",
            run_id,
        )
    )
    assert statuses["culture_scorecard"] == statuses["mtu_dimension_results"] == "published tonight"
    scorecard = query(
        deployment.warehouse, "select count(*) from marts.culture_scorecard where period_end = %s", PERIOD_END
    )
    assert scorecard[0][0] > 0
    assert deployment.mail.messages == []  # a clean night sends nothing


def test_a_night_with_a_broken_file_still_succeeds_and_mails_one_alert_naming_the_file(
    deployment: Deployment,
) -> None:
    airflow = deployment.airflow
    (deployment.landing / "hr" / BROKEN).write_text(
        "employee_number;cpr;org_unit_code;fte\nE9999;" + CPR_IN_BROKEN_FILE + ";1000;1\n", encoding="utf-8"
    )
    before = len(deployment.mail.messages)
    run_id = airflow.trigger({"landing": str(deployment.landing), "as_of": AS_OF.isoformat()})

    assert airflow.wait_for_run(run_id, timeout=900) == "success", airflow.task_states(run_id)
    ledger = query(
        deployment.warehouse,
        "select status, reason from audit.load_ledger where file_name = %s and run_id = %s",
        BROKEN,
        run_id,
    )
    assert ledger == [("rejected", f"{BROKEN}: missing required column 'hire_date'")]

    (mail,) = deployment.mail.messages[before:]
    body = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert mail["To"] == "night-shift@example.dk"
    assert "1 file(s) rejected" in mail["Subject"]
    assert run_id in body and BROKEN in body and "missing required column 'hire_date'" in body
    assert CPR_IN_BROKEN_FILE not in str(mail)

    # Nor in the task logs under AIRFLOW_HOME, nor in XCom in Airflow's metadata database.
    logs = [
        p for p in airflow.home.rglob("*") if p.is_file() and CPR_IN_BROKEN_FILE.encode() in p.read_bytes()
    ]
    assert logs == []
    assert query(deployment.metadata, "select count(*) from xcom") != [(0,)]
    assert query(deployment.metadata, "select count(*) from xcom where value::text like %s", "%4321%") == [
        (0,)
    ]


def test_a_refused_landing_fails_the_night_at_prepare_without_retries_and_alerts_once(
    deployment: Deployment,
) -> None:
    airflow = deployment.airflow
    before = len(deployment.mail.messages)
    run_id = airflow.trigger({"landing": "/etc", "as_of": AS_OF.isoformat()})

    assert airflow.wait_for_run(run_id, timeout=600) == "failed"
    states = airflow.task_states(run_id)
    assert states.pop("prepare") == "failed"
    assert set(states.values()) == {"upstream_failed"}  # nothing ingested, built or published
    tries = airflow.request("GET", f"/api/v2/dags/culture_nightly/dagRuns/{run_id}/taskInstances/prepare")
    assert tries["try_number"] == 1

    (mail,) = deployment.mail.messages[before:]
    assert mail["Subject"] == "culture_nightly failed: prepare"
    body = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "'/etc' is not an allowed landing location" in body
