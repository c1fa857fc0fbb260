"""The night's stages, shared by the Airflow DAG and the CLI (one code path, two entry points).

Every stage takes plain values (dates, strings) and returns a small dict with no personal data,
because Airflow passes both through XCom.
"""

from __future__ import annotations

import datetime as dt
import logging

from culture_warehouse import access, audit, progress
from culture_warehouse import ingest as door
from culture_warehouse.config import NightSettings, min_group_size
from culture_warehouse.disclosure import disclosure_gate, protect_publication
from culture_warehouse.landing import Landing
from culture_warehouse.parameters import check_run_id
from culture_warehouse.privacy import (
    KeyFingerprintMismatch,
    Pseudonymiser,
    key_fingerprint,
    load_pseudonym_key,
)
from culture_warehouse.publish import (
    Publication,
    PublishBlocked,
    PublishRefused,
    audit_built_marts,
    publish_marts,
)
from culture_warehouse.sources.registry import FOLDERS, ingestor, ingestors
from culture_warehouse.transform import build_marts, generate_docs
from culture_warehouse.warehouse import connect, resolve_dsn

log = logging.getLogger(__name__)


def _night(as_of: dt.date, run_id: str, key: bytes | None = None) -> door.Night:
    """The night's door settings, once its pseudonym key is known to be the warehouse's."""
    key = _checked_key(run_id, key)
    return door.Night(dsn=resolve_dsn(), as_of=as_of, run_id=run_id, pseudonymise=Pseudonymiser(key))


def _checked_key(run_id: str, key: bytes | None = None) -> bytes:
    """Tonight's pseudonym key, when it is the one the warehouse's pseudonyms were made with (its
    fingerprint is recorded on the first night); else the run is closed as failed and
    KeyFingerprintMismatch says why. PseudonymKeyError when there is no usable key."""
    key = load_pseudonym_key() if key is None else key
    with connect(resolve_dsn(), autocommit=True) as conn:
        try:
            audit.check_key_fingerprint(conn, key_fingerprint(key), run_id)
        except KeyFingerprintMismatch as mismatch:
            audit.finish_run(conn, run_id, "failed", str(mismatch))
            raise
    return key


def start_night(as_of: dt.date, run_id: str, landing: str | None = None) -> dict[str, object]:
    """Prepare the warehouse, tidy up after an interrupted night, record unrecognised files.

    Refuses (PseudonymKeyError) before anything is loaded when there is no usable key or when it
    is not the key this warehouse's pseudonyms were made with; the run is recorded as failed.
    """
    progress.stage("prepare")
    check_run_id(run_id)
    settings = NightSettings.from_environment(as_of, landing)
    key = load_pseudonym_key()  # before the warehouse is touched: no key, no night
    dsn = resolve_dsn()
    access.prepare(dsn)
    audit.create_tables(dsn)
    with connect(dsn, autocommit=True) as conn:
        audit.start_run(conn, run_id, as_of)
    night = _night(as_of, run_id, key)
    door.ensure_raw_tables(night.dsn, ingestors().values())
    interrupted = door.clean_interrupted(night.dsn, ingestors())
    unrecognised = door.record_unrecognised(night, Landing(settings.landing), ingestors())
    return {"interrupted_loads_cleaned": interrupted, "unrecognised": len(unrecognised)}


def ingest(folder: str, as_of: dt.date, run_id: str, landing: str | None = None) -> dict[str, object]:
    """Pull one landing folder (one of ``FOLDERS``, from the source registry) into raw."""
    progress.stage(f"ingest {folder}")
    check_run_id(run_id)
    if folder not in FOLDERS:
        raise ValueError(f"unknown landing folder {folder!r}")
    settings = NightSettings.from_environment(as_of, landing)
    summary = door.ingest_folder(_night(as_of, run_id), Landing(settings.landing), ingestor(folder))
    return summary.as_dict()


def transform(
    as_of: dt.date, run_id: str, min_group_size: int, full_refresh: bool = False
) -> dict[str, object]:
    """Check source freshness, then build and test every dbt model into the build schema.

    The incremental models rebuild only the survey rounds whose inputs changed, unless
    ``full_refresh`` (``culture run --full-refresh``) or a changed build fingerprint says all.

    A failing model or test only blocks the marts that depend on it (recorded in
    ``audit.mart_outcomes``); BuildFailed means dbt could not run at all.
    """
    progress.stage("transform (dbt build)")
    check_run_id(run_id)
    dsn = resolve_dsn()
    with connect(dsn, autocommit=True) as conn:
        # Normally prepare recorded the run; a run whose prepare failed is recorded here.
        audit.ensure_run(conn, run_id, as_of)
        audit.set_min_group_size(conn, run_id, min_group_size)
    _checked_key(run_id)  # a night refused for its key builds nothing either
    outcome = build_marts(dsn, as_of, min_group_size, run_id, full_refresh=full_refresh)
    for mart, reason in sorted(outcome.blocked.items()):
        log.warning("mart %s blocked tonight: %s", mart, reason)
    try:
        extra = protect_publication(dsn, run_id, min_group_size, remember=not full_refresh)
    except Exception as error:  # the publish gate audits anyway and holds back what leaks
        log.error("disclosure control failed, the publish gate decides: %s", type(error).__name__)
        extra = {}
    return {**outcome.as_dict(), "extra_suppressions": sum(extra.values())}


def publish(run_id: str, backfill: bool = False) -> dict[str, object]:
    """Swap the tested marts in, keep last night's version of blocked ones, close the run.

    Raises PublishBlocked (after publishing the rest) when any mart was held back, so the DAG
    run fails and alerts with the reason. Raises PublishRefused, publishing nothing, when a later
    night is already published and this night is not a backfill (BI would go back in time).
    """
    progress.stage("publish")
    check_run_id(run_id)
    dsn = resolve_dsn()
    done = _already_published(dsn, run_id)
    if done is not None:  # a retry after the swap committed: report, do not swap again
        if done.kept:
            raise PublishBlocked(done.reason())
        return {"published": list(done.published), "rejected_files": len(rejected_files(dsn, run_id))}
    if not backfill:
        _refuse_an_older_night(dsn, run_id)
    blocked = blocked_marts(dsn, run_id)
    blocked.update(audit_built_marts(dsn, run_id, skip=frozenset(blocked)))
    blocked.update(disclosure_gate(dsn, run_id, _night_min_group_size(dsn, run_id), skip=frozenset(blocked)))
    publication = publish_marts(dsn, run_id, blocked)
    _record_publication(dsn, run_id, publication)
    finish_run(run_id, "partial" if publication.kept else "published", publication.reason() or None)
    rejected = rejected_files(dsn, run_id)
    if rejected:
        from culture_warehouse.alerts import rejections_alert, send, why_not_sent

        try:
            send(rejections_alert(run_id, rejected))
        except Exception as error:  # the marts are published; a mail server down must not undo that
            log.error("could not send the rejected-files alert: %s", why_not_sent(error))
    if publication.kept:
        raise PublishBlocked(publication.reason())
    return {"published": list(publication.published), "rejected_files": len(rejected)}


def docs(as_of: dt.date) -> dict[str, object]:
    """Write the dbt docs site of what BI reads (models, columns, comments) into ``.culture/docs``."""
    progress.stage("docs (dbt docs generate)")
    return {"docs": str(generate_docs(resolve_dsn(), as_of, min_group_size()))}


def _refuse_an_older_night(dsn: str, run_id: str) -> None:
    """PublishRefused (and the run closed as failed) when a night later than this one published."""
    with connect(dsn) as conn:
        row = conn.execute(
            "select r.as_of, (select max(p.as_of) from audit.mart_outcomes o"
            " join audit.runs p on p.run_id = o.run_id where o.status = 'published' and o.run_id <> r.run_id)"
            " from audit.runs r where r.run_id = %s",
            (run_id,),
        ).fetchone()
    if row is None or row[1] is None or row[0] >= row[1]:
        return
    reason = (
        f"not published: this night is as of {row[0]}, but the marts of the night as of {row[1]} are"
        " already published. An older night is published only as a backfill"
        " (`culture backfill`, or an Airflow backfill run)"
    )
    finish_run(run_id, "failed", reason)
    raise PublishRefused(reason)


def _night_min_group_size(dsn: str, run_id: str) -> int:
    """The k this run's marts were built with (recorded by the transform stage)."""
    with connect(dsn) as conn:
        row = conn.execute("select min_group_size from audit.runs where run_id = %s", (run_id,)).fetchone()
    return int(row[0]) if row and row[0] is not None else min_group_size()


def _already_published(dsn: str, run_id: str) -> Publication | None:
    """What this run's swap published and kept, when it already committed; else None."""
    with connect(dsn) as conn:
        run = conn.execute("select status from audit.runs where run_id = %s", (run_id,)).fetchone()
        if run is None or run[0] not in ("published", "partial"):
            return None
        outcomes = conn.execute(
            "select mart, status, coalesce(reason, '') from audit.mart_outcomes where run_id = %s"
            " and status in ('published', 'kept') order by mart",
            (run_id,),
        ).fetchall()
    return Publication(
        published=tuple(str(mart) for mart, status, _ in outcomes if status == "published"),
        kept={str(mart): str(why) for mart, status, why in outcomes if status == "kept"},
    )


def blocked_marts(dsn: str, run_id: str) -> dict[str, str]:
    """The marts tonight's dbt build blocked, with the reason (from ``audit.mart_outcomes``)."""
    with connect(dsn) as conn:
        rows = conn.execute(
            "select mart, reason from audit.mart_outcomes where run_id = %s and status = 'blocked'",
            (run_id,),
        ).fetchall()
    return {str(mart): str(reason) for mart, reason in rows}


def _record_publication(dsn: str, run_id: str, publication: Publication) -> None:
    with connect(dsn) as conn:
        audit.record_publication(conn, run_id, publication.published, publication.kept)


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
        audit.finish_run(conn, run_id, status, reason)
