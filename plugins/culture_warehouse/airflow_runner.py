"""Run the ``culture_nightly`` DAG in-process, as ``airflow dags test`` does.

The CLI and the scheduler thus run the same DAG and the same task code. Airflow gets its own
AIRFLOW_HOME under the state folder (a SQLite metadata database) unless one is configured.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from culture_warehouse.config import project_dir, state_dir

DAG_ID = "culture_nightly"


@dataclass(frozen=True)
class DagRunResult:
    run_id: str
    state: str


def prepare_airflow_environment(verbose: bool = False) -> None:
    """Point Airflow at the project's DAGs and a private home before Airflow is imported."""
    home = state_dir() / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("AIRFLOW_HOME", str(home))
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(project_dir() / "dags"))
    os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(project_dir() / "plugins"))
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def _ensure_metadata_db() -> None:
    """Create or upgrade Airflow's metadata database once per Airflow version."""
    import airflow
    from airflow.utils.db import upgradedb

    stamp = Path(os.environ["AIRFLOW_HOME"]) / ".culture-migrated"
    if stamp.exists() and stamp.read_text() == airflow.__version__:
        return
    upgradedb()
    stamp.write_text(airflow.__version__)


def _load_dag() -> Any:
    path = project_dir() / "dags" / "culture_nightly.py"
    spec = importlib.util.spec_from_file_location("culture_nightly_dag", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from airflow.sdk import DAG

    for value in vars(module).values():
        if isinstance(value, DAG) and value.dag_id == DAG_ID:
            return value
    raise RuntimeError(f"{path} defines no DAG {DAG_ID!r}")


def run_dag(as_of: dt.date, landing: str, full_refresh: bool = False) -> DagRunResult:
    """Run one night of the DAG in this process and return its run id and final state."""
    import pendulum

    logical = pendulum.datetime(as_of.year, as_of.month, as_of.day, 2, tz="Europe/Copenhagen")
    conf: dict[str, object] = {"as_of": as_of.isoformat(), "landing": landing}
    if full_refresh:
        conf["full_refresh"] = True
    return run_scheduled_night(logical, conf)


def run_scheduled_night(logical_date: dt.datetime, conf: dict[str, object] | None = None) -> DagRunResult:
    """Run the DAG for a logical date as the scheduler or ``airflow backfill`` would (no as_of given)."""
    _ensure_metadata_db()
    dag = _load_dag()
    dag_run = dag.test(logical_date=logical_date, run_conf=conf or {})
    state = str(getattr(dag_run.state, "value", dag_run.state))
    return DagRunResult(run_id=str(dag_run.run_id), state=state)
