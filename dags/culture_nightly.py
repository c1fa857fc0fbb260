"""
### culture_nightly

The nightly load of the trust- and results-culture warehouse.

1. **prepare** – create schemas, audit tables and roles if missing; clean up loads an
   interrupted night left behind; record files that match no pattern as rejected.
2. **ingest_<folder>** – one task per landing folder (hr, mtu, apv, minutes, results): read
   every new file, drop personal columns, pseudonymise, COPY into `raw`, validate with the Great
   Expectations suite from `expectations/`, and record the file in `audit.load_ledger`.
   A bad file is rejected with a reason; it never stops the night.
3. **transform** – `dbt source freshness` against the as-of date, then one `dbt build` of
   staging → intermediate → marts into `marts_build`. A failed model or test, or a source past
   its freshness `error_after`, blocks only the marts downstream of it.
4. **publish** – run the Great Expectations audit gates on the built marts, then swap
   `marts_build` in for `marts` in one transaction (write-audit-publish), carrying over last
   night's version of every blocked mart. The task fails, naming each held-back mart and why,
   after the rest has published (`marts.publication_status`). A successful publish updates the
   Asset `culture_warehouse_marts`, which schedules the `culture_report` DAG (the leaders' report).
5. **docs** – after a night that published every mart, `dbt docs generate` writes the docs site
   of the published marts (descriptions in Danish and English, types, grants) into
   `.culture/docs/`. It follows only a complete publish: as the DAG's last task, its state is the
   run's state, so a partial night still ends failed.

At most `CULTURE_MAX_ACTIVE_TASKS` tasks run at once (default: the cores), the largest folder
first. Every task has an `execution_timeout` (`CULTURE_TASK_TIMEOUT_<TASK>_MINUTES`, defaults in
`culture_warehouse.config`), so nothing can hold the night, or the nights queued behind it, forever.

Failures alert through the Airflow connection `culture_alerts` (webhook, Slack or e-mail), and so
do files rejected at the door. Parameters: `as_of` (YYYY-MM-DD, default the logical date in
Copenhagen) and `landing` (default `CULTURE_LANDING`; another location only inside it or under a
`CULTURE_LANDING_ALLOW` prefix, unless `CULTURE_ALLOW_LANDING_OVERRIDE=true`). A night older than
the one published refuses to publish unless it is a backfill run. A bad parameter or a missing or
changed pseudonym key fails the night at once, without retries, and nothing is built
(docs/operations.md). All logic lives in the `culture_warehouse` package; the CLI `culture run`
runs this same DAG in-process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pendulum
from airflow.sdk import Param, dag, task

from culture_warehouse.alerts import FailureNotifier
from culture_warehouse.assets import MARTS
from culture_warehouse.config import max_active_tasks, task_timeout
from culture_warehouse.parameters import ParameterError, is_backfill, parse_as_of, trigger_landing
from culture_warehouse.sources.registry import FOLDERS


def _as_of(context: dict[str, Any]) -> dt.date:
    given = context["params"].get("as_of")
    if given:
        return parse_as_of(given)
    logical = context.get("logical_date") or pendulum.now("UTC")
    return pendulum.instance(logical).in_timezone("Europe/Copenhagen").date()


def _landing(context: dict[str, Any]) -> str | None:
    return trigger_landing(context["params"].get("landing"))


def _backfill(context: dict[str, Any]) -> bool:
    dag_run = context.get("dag_run")
    return is_backfill(context["run_id"], getattr(dag_run, "run_type", None))


@contextmanager
def _refusals_fail_without_retry() -> Iterator[None]:
    """A bad parameter, a missing or foreign pseudonym key, or an older night's publish fails the
    task at once: retrying cannot help, and the reason is the failure's message."""
    from airflow.sdk.exceptions import AirflowFailException

    from culture_warehouse.privacy import PseudonymKeyError

    try:
        yield
    except (ParameterError, PseudonymKeyError) as refused:
        raise AirflowFailException(str(refused)) from None


@dag(
    dag_id="culture_nightly",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Europe/Copenhagen"),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=max_active_tasks(),
    tags=["culture", "warehouse", "nightly"],
    doc_md=__doc__,
    default_args={
        "owner": "data-engineering",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "execution_timeout": task_timeout("ingest"),
        # One alert per failure: the failed task's own (it knows the task and the reason). A
        # DAG-level callback as well sent a second alert for the same failure.
        "on_failure_callback": FailureNotifier(),
    },
    params={
        "as_of": Param(
            None,
            type=["null", "string"],
            pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
            description="YYYY-MM-DD; default: logical date",
        ),
        "landing": Param(
            None,
            type=["null", "string"],
            description="default: CULTURE_LANDING; else inside it or a CULTURE_LANDING_ALLOW prefix",
        ),
        "full_refresh": Param(
            False,
            type="boolean",
            description="rebuild every incremental dbt model from scratch (default: only what changed)",
        ),
    },
)
def culture_nightly() -> None:
    @task(execution_timeout=task_timeout("prepare"))
    def prepare(**context: Any) -> dict[str, object]:
        from culture_warehouse import pipeline
        from culture_warehouse.interrupt import stage

        with stage(), _refusals_fail_without_retry():
            return pipeline.start_night(_as_of(context), context["run_id"], _landing(context))

    @task(execution_timeout=task_timeout("ingest"))
    def ingest(folder: str, **context: Any) -> dict[str, object]:
        from culture_warehouse import pipeline
        from culture_warehouse.interrupt import stage

        with stage(), _refusals_fail_without_retry():
            return pipeline.ingest(folder, _as_of(context), context["run_id"], _landing(context))

    # After every ingest task has finished, failed or not (a source that could not be read does
    # not hold back the others), but only when at least one succeeded: when prepare failed, every
    # ingest is upstream_failed and so is the build, and the night fails with prepare's one alert.
    @task(trigger_rule="all_done_min_one_success", execution_timeout=task_timeout("transform"))
    def transform(**context: Any) -> dict[str, object]:
        from airflow.sdk.exceptions import AirflowFailException

        from culture_warehouse import pipeline
        from culture_warehouse.config import min_group_size
        from culture_warehouse.interrupt import stage
        from culture_warehouse.transform import BuildFailed

        with stage(), _refusals_fail_without_retry():
            try:
                full_refresh = bool(context["params"].get("full_refresh"))
                return pipeline.transform(_as_of(context), context["run_id"], min_group_size(), full_refresh)
            except BuildFailed as failure:
                pipeline.finish_run(context["run_id"], "failed", str(failure))
                raise AirflowFailException(str(failure)) from None

    # A successful publish updates the marts Asset, on which the culture_report DAG is scheduled.
    @task(execution_timeout=task_timeout("publish"), outlets=[MARTS])
    def publish(**context: Any) -> dict[str, object]:
        from airflow.sdk.exceptions import AirflowFailException

        from culture_warehouse import pipeline
        from culture_warehouse.interrupt import stage
        from culture_warehouse.publish import PublishBlocked, PublishRefused

        with stage(), _refusals_fail_without_retry():
            try:
                return pipeline.publish(context["run_id"], backfill=_backfill(context))
            except (PublishBlocked, PublishRefused) as blocked:
                raise AirflowFailException(str(blocked)) from None

    @task(execution_timeout=task_timeout("docs"))
    def docs(**context: Any) -> dict[str, object]:
        from culture_warehouse import pipeline
        from culture_warehouse.interrupt import stage

        with stage(), _refusals_fail_without_retry():
            return pipeline.docs(_as_of(context))

    # The folders in registry order, the largest first: when not all can run at once, the
    # scheduler starts the one that takes longest first (an absolute weight, not the default
    # downstream count, which is the same for every ingest task).
    ingests = [
        ingest.override(
            task_id=f"ingest_{folder}", priority_weight=len(FOLDERS) - at, weight_rule="absolute"
        )(folder)
        for at, folder in enumerate(FOLDERS)
    ]
    prepare() >> ingests >> transform() >> publish() >> docs()


nightly_dag = culture_nightly()
