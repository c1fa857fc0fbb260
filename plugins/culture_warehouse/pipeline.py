"""The night's stages, shared by the Airflow DAG and the CLI (one code path, two entry points).

Every stage takes plain values (dates, strings) and returns a small dict with no personal data,
because Airflow passes both through XCom.
"""

from __future__ import annotations

import datetime as dt
import logging

from culture_warehouse import ingest as door
from culture_warehouse.config import NightSettings
from culture_warehouse.landing import Landing
from culture_warehouse.privacy import Pseudonymiser, load_pseudonym_key
from culture_warehouse.publish import PublishBlocked, audit_built_marts, publish_marts
from culture_warehouse.sources.registry import FOLDERS
from culture_warehouse.transform import build_marts
from culture_warehouse.warehouse import bootstrap, connect, resolve_dsn

log = logging.getLogger(__name__)


def _night(as_of: dt.date, run_id: str) -> door.Night:
    return door.Night(
        dsn=resolve_dsn(),
        as_of=as_of,
        run_id=run_id,
        pseudonymise=Pseudonymiser(load_pseudonym_key()),
    )


def start_night(as_of: dt.date, run_id: str, landing: str | None = None) -> dict[str, object]:
    """Prepare the warehouse, tidy up after an interrupted night, record unrecognised files."""
    settings = NightSettings.from_environment(as_of, landing)
    night = _night(as_of, run_id)
    bootstrap(night.dsn)
    door.ensure_raw_tables(night.dsn)
    with connect(night.dsn, autocommit=True) as conn:
        conn.execute(
            "insert into audit.runs (run_id, as_of) values (%s, %s)"
            " on conflict (run_id) do update set started_at = now(), status = 'running',"
            " finished_at = null, reason = null",
            (run_id, as_of),
        )
    interrupted = door.clean_interrupted(night.dsn)
    unrecognised = door.record_unrecognised(night, Landing(settings.landing))
    return {"interrupted_loads_cleaned": interrupted, "unrecognised": len(unrecognised)}


def ingest(folder: str, as_of: dt.date, run_id: str, landing: str | None = None) -> dict[str, object]:
    """Pull one landing folder (hr, mtu, apv, minutes, results) into raw."""
    if folder not in FOLDERS:
        raise ValueError(f"unknown landing folder {folder!r}")
    settings = NightSettings.from_environment(as_of, landing)
    summary = door.ingest_folder(_night(as_of, run_id), Landing(settings.landing), folder)
    return summary.as_dict()


def transform(as_of: dt.date, run_id: str, min_group_size: int) -> dict[str, object]:
    """Build and test every dbt model into the build schema."""
    outcome = build_marts(resolve_dsn(), as_of, min_group_size)
    return {"dbt_nodes": outcome.nodes}


def publish(run_id: str) -> dict[str, object]:
    """Swap the tested marts in and close the run."""
    dsn = resolve_dsn()
    try:
        audited = audit_built_marts(dsn, run_id)
    except PublishBlocked as blocked:
        finish_run(run_id, "failed", str(blocked))
        raise
    tables = publish_marts(dsn)
    finish_run(run_id, "published")
    rejected = rejected_files(dsn, run_id)
    if rejected:
        from culture_warehouse.alerts import rejections_alert, send

        send(rejections_alert(run_id, rejected))
    return {"published": tables, "audit_suites": audited, "rejected_files": len(rejected)}


def rejected_files(dsn: str, run_id: str) -> list[tuple[str, str, str]]:
    """(source, file, reason) of every file this run rejected."""
    with connect(dsn) as conn:
        rows = conn.execute(
            "select source, path, coalesce(reason, '') from audit.load_ledger"
            " where run_id = %s and status = 'rejected' order by path",
            (run_id,),
        ).fetchall()
    return [(str(source), str(path), str(reason)) for source, path, reason in rows]


def finish_run(run_id: str, status: str, reason: str | None = None) -> None:
    with connect(resolve_dsn(), autocommit=True) as conn:
        conn.execute(
            "update audit.runs set status = %s, reason = %s, finished_at = now() where run_id = %s",
            (status, reason, run_id),
        )
