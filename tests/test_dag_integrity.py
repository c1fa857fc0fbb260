"""The DAG file imports cleanly, is cheap to parse and carries the operational defaults."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"


@pytest.fixture(scope="module")
def dagbag() -> object:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_the_dag_folder_imports_without_errors(dagbag: object) -> None:
    assert dagbag.import_errors == {}  # type: ignore[attr-defined]
    assert "culture_nightly" in dagbag.dags  # type: ignore[attr-defined]


def test_the_nightly_dag_has_tags_retries_and_documentation(dagbag: object) -> None:
    dag = dagbag.dags["culture_nightly"]  # type: ignore[attr-defined]
    assert dag.tags
    assert dag.doc_md and "culture_nightly" in dag.doc_md
    assert dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.retries >= 2, task.task_id


def test_the_nightly_dag_ingests_every_landing_folder_before_one_build_and_publish(
    dagbag: object,
) -> None:
    dag = dagbag.dags["culture_nightly"]  # type: ignore[attr-defined]
    from culture_warehouse.sources.registry import FOLDERS

    assert FOLDERS == ("hr", "mtu", "apv", "minutes", "results")
    ids = set(dag.task_ids)
    assert {f"ingest_{f}" for f in FOLDERS} <= ids
    transform = dag.get_task("transform")
    assert {f"ingest_{f}" for f in FOLDERS} == set(transform.upstream_task_ids)
    assert dag.get_task("publish").upstream_task_ids == {"transform"}
    assert dag.get_task("docs").upstream_task_ids == {"publish"}
    assert dag.get_task("docs").trigger_rule == "all_success"  # a partial night stays failed


def test_the_build_waits_for_every_ingest_but_needs_one_to_have_succeeded(dagbag: object) -> None:
    """A source that could not be read does not hold back the rest; a failed prepare (every ingest
    upstream_failed) builds nothing, so the night fails with prepare's one alert."""
    transform = dagbag.dags["culture_nightly"].get_task("transform")  # type: ignore[attr-defined]
    assert transform.trigger_rule == "all_done_min_one_success"


@pytest.mark.slow  # a timing check in a fresh interpreter that imports Airflow
def test_parsing_the_dag_file_takes_under_two_seconds() -> None:
    code = (
        "import time, runpy; import airflow.sdk; t = time.perf_counter();"
        f" runpy.run_path({str(DAGS / 'culture_nightly.py')!r}); print(time.perf_counter() - t)"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    parse_seconds = float(out.stdout.strip().splitlines()[-1])
    assert parse_seconds < 2.0, f"parsing took {parse_seconds:.2f}s"
    assert time.perf_counter() - started < 60


def test_every_task_has_an_execution_timeout(dagbag: object) -> None:
    dag = dagbag.dags["culture_nightly"]  # type: ignore[attr-defined]
    timeouts = {task.task_id: task.execution_timeout for task in dag.tasks}
    assert all(timeouts.values()), timeouts
    assert timeouts["transform"] > timeouts["ingest_hr"] > timeouts["prepare"]


def test_a_task_timeout_is_configured_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from culture_warehouse.config import task_timeout

    monkeypatch.setenv("CULTURE_TASK_TIMEOUT_INGEST_MINUTES", "45")
    assert task_timeout("ingest").total_seconds() == 45 * 60
    monkeypatch.setenv("CULTURE_TASK_TIMEOUT_INGEST_MINUTES", "0")
    with pytest.raises(ValueError, match="CULTURE_TASK_TIMEOUT_INGEST_MINUTES"):
        task_timeout("ingest")


def test_the_ingest_tasks_run_as_many_at_once_as_configured_the_largest_folder_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from culture_warehouse.sources.registry import FOLDERS

    monkeypatch.setenv("CULTURE_MAX_ACTIVE_TASKS", "3")
    dag = DagBag(dag_folder=str(DAGS)).dags["culture_nightly"]
    assert dag.max_active_tasks == 3
    weights = [dag.get_task(f"ingest_{folder}").priority_weight for folder in FOLDERS]
    assert {dag.get_task(f"ingest_{folder}").weight_rule for folder in FOLDERS} == {"absolute"}
    assert weights == sorted(weights, reverse=True) and len(set(weights)) == len(FOLDERS)
    assert FOLDERS[0] == "hr"  # the largest folder at state scale (README, Benchmark)


def test_a_bad_task_limit_is_refused_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from culture_warehouse.config import max_active_tasks

    monkeypatch.setenv("CULTURE_MAX_ACTIVE_TASKS", "0")
    with pytest.raises(ValueError, match="CULTURE_MAX_ACTIVE_TASKS"):
        max_active_tasks()
    monkeypatch.delenv("CULTURE_MAX_ACTIVE_TASKS")
    assert max_active_tasks() >= 1


def test_a_failure_alerts_once_from_the_failed_task_not_again_from_the_run(dagbag: object) -> None:
    from culture_warehouse.alerts import FailureNotifier

    dag = dagbag.dags["culture_nightly"]  # type: ignore[attr-defined]
    assert not dag.on_failure_callback
    for task in dag.tasks:
        callbacks = task.on_failure_callback
        callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
        assert [type(c) for c in callbacks] == [FailureNotifier], task.task_id


def test_a_successful_publish_updates_the_marts_asset_that_schedules_the_report_dag(dagbag: object) -> None:
    from culture_warehouse.assets import MARTS

    nightly = dagbag.dags["culture_nightly"]  # type: ignore[attr-defined]
    report = dagbag.dags["culture_report"]  # type: ignore[attr-defined]
    assert nightly.get_task("publish").outlets == [MARTS]
    assert [task.outlets for task in nightly.tasks if task.task_id != "publish"] == [[]] * (
        len(nightly.tasks) - 1
    )
    assert list(report.timetable.asset_condition.objects) == [MARTS]


def test_the_report_dag_has_tags_retries_a_timeout_an_alert_and_documentation(dagbag: object) -> None:
    from culture_warehouse.alerts import FailureNotifier

    dag = dagbag.dags["culture_report"]  # type: ignore[attr-defined]
    assert dag.tags and dag.max_active_runs == 1
    assert dag.doc_md and "culture_report" in dag.doc_md
    assert dag.task_ids == ["render"]
    task = dag.get_task("render")
    assert task.retries >= 2
    assert task.execution_timeout.total_seconds() == 30 * 60
    callbacks = task.on_failure_callback
    assert [type(c) for c in (callbacks if isinstance(callbacks, list) else [callbacks])] == [FailureNotifier]
