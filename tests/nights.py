"""Run a night in tests through the same stage functions the DAG tasks call (no scheduler)."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from culture_warehouse import pipeline
from culture_warehouse.config import min_group_size
from culture_warehouse.sources.registry import FOLDERS


@dataclass
class NightResult:
    run_id: str
    ingested: dict[str, dict[str, Any]] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)

    def files(self, status: str | None = None) -> list[dict[str, Any]]:
        found = [f for summary in self.ingested.values() for f in summary["files"]]  # type: ignore[union-attr]
        return [f for f in found if status is None or f["status"] == status]


def run_night(landing: Path | str, as_of: dt.date, publish: bool = True) -> NightResult:
    """prepare → ingest every folder → dbt build → publish, exactly as the DAG orders them."""
    run_id = f"test__{as_of.isoformat()}__{uuid.uuid4().hex[:8]}"
    result = NightResult(run_id)
    pipeline.start_night(as_of, run_id, str(landing))
    for folder in FOLDERS:
        result.ingested[folder] = pipeline.ingest(folder, as_of, run_id, str(landing))
    pipeline.transform(as_of, run_id, min_group_size())
    if publish:
        result.published = list(pipeline.publish(run_id)["published"])  # type: ignore[call-overload]
    return result


def query(dsn: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, params or None).fetchall()  # type: ignore[arg-type]


def ingest_hr_while_its_copy_is_killed(
    dsn: str, as_of: dt.date, run_id: str, landing: Path | str
) -> tuple[bool, list[BaseException]]:
    """Ingest hr while another session terminates the employees COPY as soon as it runs.
    Returns whether it was terminated and what the ingest raised."""
    failure: list[BaseException] = []

    def ingest() -> None:
        try:
            pipeline.ingest("hr", as_of, run_id, str(landing))
        except BaseException as error:
            failure.append(error)

    loader = threading.Thread(target=ingest)
    loader.start()
    killed = False
    deadline = time.monotonic() + 120
    with psycopg.connect(dsn, autocommit=True) as conn:
        while not killed and time.monotonic() < deadline and loader.is_alive():
            killed = bool(
                conn.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity"
                    " where application_name = 'culture' and query ilike 'copy raw.hr_employees%'"
                ).fetchall()
            )
            time.sleep(0.01)
    loader.join()
    return killed, failure
