"""
### culture_report

The leaders' culture report: a static, self-contained site (`index.html` for the institution,
`units/<code>.html` per current org unit) rendered from `marts` as the BI role
`culture_bi_reader`, for leaders without a BI tool.

Scheduled on the Asset `culture_warehouse_marts`: it runs after every night whose **publish**
task of `culture_nightly` succeeded (a night that publishes only part of the marts fails its
publish task, emits no Asset event, and the report stays as it was). `culture report` runs the
same function (`culture_warehouse.leader_report.build_report`) from the command line.

Settings: `CULTURE_REPORT_DSN` (a BI login; default the night's warehouse, which must then be
allowed to `SET ROLE culture_bi_reader`), `CULTURE_REPORT_DIR` (default `.culture/report`),
`CULTURE_REPORT_LANG` (`da`, the default, or `en`).
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import dag, task

from culture_warehouse.alerts import FailureNotifier
from culture_warehouse.assets import MARTS
from culture_warehouse.config import task_timeout


@dag(
    dag_id="culture_report",
    schedule=[MARTS],
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Copenhagen"),
    catchup=False,
    max_active_runs=1,
    tags=["culture", "report", "leaders"],
    doc_md=__doc__,
    default_args={
        "owner": "data-engineering",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "execution_timeout": task_timeout("report"),
        "on_failure_callback": FailureNotifier(),
    },
)
def culture_report() -> None:
    @task
    def render() -> dict[str, object]:
        from airflow.sdk.exceptions import AirflowFailException

        from culture_warehouse.leader_report import ReportRefused, build_report

        try:
            site = build_report()
        except ReportRefused as refused:  # no retry helps: a login or a setting must change
            raise AirflowFailException(str(refused)) from None
        return {"index": str(site.index), "unit_pages": len(site.unit_pages), "lang": site.lang}

    render()


report_dag = culture_report()
