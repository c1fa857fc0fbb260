"""``audit.load_ledger``: one row per delivered file, and the rules that make re-runs safe.

A file is new when its path and bytes have not been seen. The same bytes under another name are
a ``duplicate``. A file that loads supersedes every earlier loaded file with the same logical key
(the same snapshot, survey round, goals year or meeting), so a corrected delivery replaces the
old one. Rows of a load that never finished (``loading``) are invisible to dbt and are removed
before the next attempt, so an interrupted night is simply retried, but not forever: bytes whose
load was cut short ``MAX_ATTEMPTS`` times (the task timed out, the process was killed, the database
went away while they were read) are rejected, so they cannot hold up the files after them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class LedgerEntry:
    source: str
    entity: str | None
    file_name: str
    path: str
    sha256: str
    extract_date: dt.date | None
    run_id: str
    logical_key: str | None = None


def already_handled(conn: psycopg.Connection, path: str, sha256: str, recognised_only: bool = False) -> bool:
    """True when these exact bytes at this path have been recorded by an earlier night.

    With ``recognised_only`` a file once recorded as unrecognised counts as new, so a file that a
    newer release learns to read is loaded instead of being skipped forever.
    """
    row = conn.execute(
        "select 1 from audit.load_ledger where path = %s and sha256 = %s and status <> 'loading'"
        " and (entity is not null or not %s)",
        (path, sha256, recognised_only),
    ).fetchone()
    return row is not None


def loaded_elsewhere(conn: psycopg.Connection, path: str, sha256: str) -> str | None:
    """The path of an earlier loaded (or superseded) file with the same bytes, if any."""
    row = conn.execute(
        "select path from audit.load_ledger where sha256 = %s and path <> %s"
        " and status in ('loaded', 'superseded') order by load_id limit 1",
        (sha256, path),
    ).fetchone()
    return str(row[0]) if row else None


def record(
    conn: psycopg.Connection,
    entry: LedgerEntry,
    status: str,
    reason: str | None = None,
    rows_read: int = 0,
) -> int:
    """Insert a ledger row and return its load_id."""
    row = conn.execute(
        """
        insert into audit.load_ledger
            (source, entity, file_name, path, logical_key, sha256, extract_date, status,
             reason, rows_read, run_id)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        returning load_id
        """,
        (
            entry.source, entry.entity, entry.file_name, entry.path, entry.logical_key,
            entry.sha256, entry.extract_date, status, reason, rows_read, entry.run_id,
        ),
    ).fetchone()  # fmt: skip
    assert row is not None
    return int(row[0])


def mark_loaded(
    conn: psycopg.Connection,
    load_id: int,
    rows_read: int,
    rows_loaded: int,
    rows_quarantined: int,
    logical_key: str | None,
    reason: str | None = None,
) -> list[int]:
    """Make a finished load visible and supersede earlier loads of the same logical key.

    Returns the load_ids that were superseded. Runs in the caller's transaction.
    """
    conn.execute(
        """
        update audit.load_ledger
        set status = 'loaded', rows_read = %s, rows_loaded = %s, rows_quarantined = %s,
            logical_key = %s, reason = %s, loaded_at = now()
        where load_id = %s
        """,
        (rows_read, rows_loaded, rows_quarantined, logical_key, reason, load_id),
    )
    if logical_key is None:
        return []
    superseded = conn.execute(
        """
        update audit.load_ledger set status = 'superseded',
            reason = coalesce(reason || '; ', '') || 'replaced by load ' || %s::text
        where logical_key = %s and status = 'loaded' and load_id <> %s
        returning load_id
        """,
        (load_id, logical_key, load_id),
    ).fetchall()
    return [int(row[0]) for row in superseded]


def mark_rejected(
    conn: psycopg.Connection,
    load_id: int,
    reason: str,
    rows_read: int = 0,
    rows_quarantined: int = 0,
) -> None:
    conn.execute(
        """
        update audit.load_ledger
        set status = 'rejected', reason = %s, rows_read = %s, rows_loaded = 0,
            rows_quarantined = %s, loaded_at = now()
        where load_id = %s
        """,
        (reason, rows_read, rows_quarantined, load_id),
    )


def start_attempt(conn: psycopg.Connection, path: str, sha256: str, run_id: str) -> int:
    """Count one more attempt to load these bytes; returns the number of attempts so far."""
    row = conn.execute(
        """
        insert into audit.load_attempts (path, sha256, attempts, last_run_id) values (%s, %s, 1, %s)
        on conflict (path, sha256) do update
            set attempts = audit.load_attempts.attempts + 1, last_run_id = excluded.last_run_id
        returning attempts
        """,
        (path, sha256, run_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


def forgive_attempt(conn: psycopg.Connection, load_id: int) -> None:
    """An operator stopped this load (not the file's fault): it does not count as an attempt."""
    conn.execute(
        """
        update audit.load_attempts as attempts set attempts = attempts.attempts - 1
        from audit.load_ledger as ledger
        where ledger.load_id = %s and attempts.path = ledger.path and attempts.sha256 = ledger.sha256
        """,
        (load_id,),
    )


def interrupted_loads(
    conn: psycopg.Connection, run_id: str | None = None
) -> list[tuple[int, str, str | None]]:
    """Loads left in ``loading`` by a crashed or killed night (or by that run): (load_id, source, entity)."""
    rows = conn.execute(
        "select load_id, source, entity from audit.load_ledger where status = 'loading'"
        " and (run_id = %s or %s::text is null)",
        (run_id, run_id),
    ).fetchall()
    return [(int(load_id), str(source), entity) for load_id, source, entity in rows]


def forget(conn: psycopg.Connection, load_id: int) -> None:
    """Remove an interrupted load's ledger and quarantine rows so the file is seen as new."""
    conn.execute("delete from audit.quarantine where load_id = %s", (load_id,))
    conn.execute("delete from audit.load_ledger where load_id = %s", (load_id,))
