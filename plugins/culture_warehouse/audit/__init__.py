"""The ``audit`` schema: every audit table's DDL and every write into it.

The night's record lives here and only here: which run ran with which settings and how it ended
(``runs``), what each delivered file became (``load_ledger`` and ``load_attempts``, written by
``audit.ledger``), rows set aside (``quarantine``), Great Expectations verdicts
(``validation_results``), unknown columns (``schema_drift``), source freshness, each mart's outcome,
MTU units outside the tree, the disclosure control's counts and memory (``disclosure_memo``:
digests and the keys of suppressed cells), the publish gate's memory of its passing verdicts
(``disclosure_gate_memo``: digests, the queries it read with and counts) and the pseudonym key's
fingerprint
(``pseudonym_key``: never the key). Other modules call these functions
rather than writing SQL into ``audit.*`` themselves; reading the tables in queries stays where the
query is. Nothing written here holds personal data: counts, names of files and columns, reasons.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import psycopg
from psycopg.types.json import Jsonb

from culture_warehouse.privacy import KeyFingerprintMismatch
from culture_warehouse.validate import SuiteOutcome
from culture_warehouse.warehouse import connect

DDL = """
create schema if not exists audit;
create table if not exists audit.load_ledger (
    load_id bigint generated always as identity primary key,
    source text not null,
    entity text,
    file_name text not null,
    path text not null,
    logical_key text,
    sha256 text not null,
    extract_date date,
    status text not null
        check (status in ('loading', 'loaded', 'duplicate', 'rejected', 'superseded')),
    rows_read integer not null default 0,
    rows_loaded integer not null default 0,
    rows_quarantined integer not null default 0,
    reason text,
    run_id text not null,
    loaded_at timestamptz not null default now()
);
create index if not exists load_ledger_path on audit.load_ledger (path);
create index if not exists load_ledger_sha on audit.load_ledger (sha256);
create table if not exists audit.quarantine (
    source text not null,
    file_name text not null,
    line_number integer,
    column_name text,
    reason text not null,
    run_id text not null,
    load_id bigint,
    quarantined_at timestamptz not null default now()
);
create index if not exists quarantine_load on audit.quarantine (load_id);
create table if not exists audit.validation_results (
    source text not null,
    suite text not null,
    success boolean not null,
    expectations integer not null,
    failed integer not null,
    failures text,
    file_name text,
    load_id bigint,
    run_id text not null,
    validated_at timestamptz not null default now()
);
create table if not exists audit.schema_drift (
    source text not null,
    entity text not null,
    column_name text not null,
    first_file_name text not null,
    run_id text not null,
    seen_at timestamptz not null default now(),
    primary key (source, entity, column_name)
);
create table if not exists audit.runs (
    run_id text primary key,
    as_of date not null,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    status text not null default 'running',
    reason text
);
alter table audit.runs add column if not exists min_group_size integer;
create table if not exists audit.source_freshness (
    run_id text not null,
    as_of date not null,
    source text not null,
    source_table text not null,
    data_as_of date,
    age_days integer,
    status text not null check (status in ('pass', 'warn', 'error', 'no data', 'runtime error')),
    warn_after_days integer,
    error_after_days integer,
    checked_at timestamptz not null default now(),
    primary key (run_id, source, source_table)
);
create table if not exists audit.disclosure_checks (
    run_id text not null,
    stage text not null check (stage in ('protect', 'gate')),
    mart text not null,
    published_cells integer not null,
    small_groups integer not null,
    determined integer not null,
    extra_suppressions integer not null,
    seconds numeric not null,
    checked_at timestamptz not null default now()
);
create table if not exists audit.mtu_units_outside_tree (
    run_id text not null,
    survey_id text not null,
    round_end_date date not null,
    file_type text not null check (file_type in ('responses', 'invitations')),
    org_unit_code text not null,
    n_left_out integer not null,
    reason text not null,
    recorded_at timestamptz not null default now(),
    primary key (run_id, survey_id, file_type, org_unit_code)
);
create table if not exists audit.load_attempts (
    path text not null,
    sha256 text not null,
    attempts integer not null,
    last_run_id text not null,
    primary key (path, sha256)
);
create table if not exists audit.pseudonym_key (
    only_row boolean primary key default true check (only_row),
    fingerprint text not null,
    first_run_id text not null,
    recorded_at timestamptz not null default now()
);
create table if not exists audit.dbt_build_state (
    only_row boolean primary key default true check (only_row),
    fingerprint text not null,
    run_id text not null,
    recorded_at timestamptz not null default now()
);
create table if not exists audit.dbt_round_partitions (
    model text not null,
    survey_id text not null,
    round_signature text not null,
    primary key (model, survey_id)
);
create table if not exists audit.disclosure_memo (
    family text primary key,
    digest text not null,
    suppressed jsonb not null,
    run_id text not null,
    recorded_at timestamptz not null default now()
);
alter table audit.disclosure_memo add column if not exists checked jsonb;
create table if not exists audit.disclosure_gate_memo (
    part text primary key,
    digest text not null,
    queries jsonb not null,
    audits jsonb not null,
    recorded_at timestamptz not null default now()
);
create table if not exists audit.mart_outcomes (
    run_id text not null,
    mart text not null,
    status text not null check (status in ('built', 'blocked', 'published', 'kept')),
    reason text,
    recorded_at timestamptz not null default now(),
    primary key (run_id, mart)
);
"""


def create_tables(dsn: str) -> None:
    """Create the audit schema and every audit table when missing; idempotent, run every night."""
    with connect(dsn, autocommit=True) as conn:
        conn.execute(DDL)


# --- runs ---------------------------------------------------------------------------------------


def start_run(conn: psycopg.Connection, run_id: str, as_of: dt.date) -> None:
    """Record the run as running; a retried run starts again."""
    conn.execute(
        "insert into audit.runs (run_id, as_of) values (%s, %s)"
        " on conflict (run_id) do update set started_at = now(), status = 'running',"
        " finished_at = null, reason = null",
        (run_id, as_of),
    )


def ensure_run(conn: psycopg.Connection, run_id: str, as_of: dt.date) -> None:
    """Record the run unless it is recorded (normally its prepare stage did)."""
    conn.execute(
        "insert into audit.runs (run_id, as_of) values (%s, %s) on conflict (run_id) do nothing",
        (run_id, as_of),
    )


def set_min_group_size(conn: psycopg.Connection, run_id: str, min_group_size: int) -> None:
    conn.execute("update audit.runs set min_group_size = %s where run_id = %s", (min_group_size, run_id))


def dbt_build_fingerprint(conn: psycopg.Connection) -> str | None:
    """The fingerprint (dbt project files, k, dbt version) the incremental models were last built with."""
    row = conn.execute("select fingerprint from audit.dbt_build_state").fetchone()
    return str(row[0]) if row else None


def record_dbt_build_fingerprint(conn: psycopg.Connection, fingerprint: str, run_id: str) -> None:
    conn.execute(
        "insert into audit.dbt_build_state (fingerprint, run_id) values (%s, %s) on conflict (only_row)"
        " do update set fingerprint = excluded.fingerprint, run_id = excluded.run_id, recorded_at = now()",
        (fingerprint, run_id),
    )


def forget_dbt_build_fingerprint(conn: psycopg.Connection) -> None:
    """The next build rebuilds every incremental model from scratch."""
    conn.execute("delete from audit.dbt_build_state")


def finish_run(conn: psycopg.Connection, run_id: str, status: str, reason: str | None = None) -> None:
    conn.execute(
        "update audit.runs set status = %s, reason = %s, finished_at = now() where run_id = %s",
        (status, reason, run_id),
    )


# --- the pseudonym key ----------------------------------------------------------------------------


def check_key_fingerprint(conn: psycopg.Connection, fingerprint: str, run_id: str) -> None:
    """Record the key's fingerprint on the warehouse's first night; on every later night raise
    KeyFingerprintMismatch when tonight's key gives another one (its pseudonyms would not match)."""
    conn.execute(
        "insert into audit.pseudonym_key (fingerprint, first_run_id) values (%s, %s) on conflict do nothing",
        (fingerprint, run_id),
    )
    row = conn.execute("select fingerprint, first_run_id, recorded_at from audit.pseudonym_key").fetchone()
    assert row is not None
    recorded, first_run, recorded_at = str(row[0]), str(row[1]), row[2]
    if hmac.compare_digest(recorded, fingerprint):
        return
    raise KeyFingerprintMismatch(
        f"pseudonym key fingerprint mismatch: tonight's key has fingerprint {fingerprint[:16]}…, this"
        f" warehouse's pseudonyms were made with the key of fingerprint {recorded[:16]}… (recorded"
        f" by run {first_run} on {recorded_at:%Y-%m-%d}). Nothing was loaded: tonight's pseudonyms"
        " would not match the history. Restore the key this warehouse was built with, or replay"
        " the landing zone under the new key into a new, empty warehouse with"
        " `culture backfill --dsn <new warehouse> --from <first night> --to <today>`"
        " (docs/operations.md)"
    )


# --- the door -----------------------------------------------------------------------------------


class Quarantined(Protocol):
    """A row (or cell) set aside: where it was and why, never its value."""

    @property
    def line_number(self) -> int | None: ...

    @property
    def column_name(self) -> str | None: ...

    @property
    def reason(self) -> str: ...


def write_quarantine(
    conn: psycopg.Connection,
    source: str,
    file_name: str,
    load_id: int,
    run_id: str,
    rows: Iterable[Quarantined],
) -> None:
    rows = list(rows)
    if not rows:
        return
    with (
        conn.cursor() as cursor,
        cursor.copy(
            "copy audit.quarantine (source, file_name, line_number, column_name, reason, run_id, load_id)"
            " from stdin"
        ) as copy,
    ):
        for row in rows:
            copy.write_row((source, file_name, row.line_number, row.column_name, row.reason, run_id, load_id))


def record_validation(
    conn: psycopg.Connection,
    source: str,
    outcome: SuiteOutcome,
    file_name: str,
    run_id: str,
    load_id: int | None = None,
) -> None:
    """One Great Expectations run: the verdict and the failed expectations, never a value."""
    conn.execute(
        """
        insert into audit.validation_results
            (source, suite, success, expectations, failed, failures, file_name, load_id, run_id)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s)
        """,
        (
            source, outcome.suite, outcome.success, len(outcome.outcomes), len(outcome.failed),
            "; ".join(o.describe() for o in outcome.failed) or None, file_name, load_id, run_id,
        ),
    )  # fmt: skip


def record_drift(
    conn: psycopg.Connection, source: str, entity: str, column: str, file_name: str, run_id: str
) -> bool:
    """Record an unknown column once per source, entity and column; True when it is new."""
    inserted = conn.execute(
        """
        insert into audit.schema_drift (source, entity, column_name, first_file_name, run_id)
        values (%s, %s, %s, %s, %s) on conflict do nothing returning 1
        """,
        (source, entity, column, file_name, run_id),
    ).fetchone()
    return inserted is not None


# --- the build and the publication --------------------------------------------------------------


class FreshnessCheck(Protocol):
    """How old one source table's data is on the night, against its thresholds."""

    @property
    def source(self) -> str: ...

    @property
    def table(self) -> str: ...

    @property
    def data_as_of(self) -> dt.date | None: ...

    @property
    def age_days(self) -> int | None: ...

    @property
    def status(self) -> str: ...

    @property
    def warn_after_days(self) -> int | None: ...

    @property
    def error_after_days(self) -> int | None: ...


def record_freshness(
    conn: psycopg.Connection, run_id: str, as_of: dt.date, checks: Iterable[FreshnessCheck]
) -> None:
    """Replace the run's freshness checks (a retried transform records them again)."""
    conn.execute("delete from audit.source_freshness where run_id = %s", (run_id,))
    for check in checks:
        conn.execute(
            "insert into audit.source_freshness (run_id, as_of, source, source_table, data_as_of,"
            " age_days, status, warn_after_days, error_after_days)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (run_id, as_of, check.source, check.table, check.data_as_of, check.age_days,
             check.status, check.warn_after_days, check.error_after_days),
        )  # fmt: skip


def record_build_outcomes(
    conn: psycopg.Connection, run_id: str, marts: Iterable[str], blocked: Mapping[str, str]
) -> None:
    """Replace the run's mart outcomes with tonight's build: ``built``, or ``blocked`` and why."""
    conn.execute("delete from audit.mart_outcomes where run_id = %s", (run_id,))
    for mart in marts:
        reason = blocked.get(mart)
        conn.execute(
            "insert into audit.mart_outcomes (run_id, mart, status, reason) values (%s, %s, %s, %s)",
            (run_id, mart, "blocked" if reason else "built", reason),
        )


def record_units_outside_tree(conn: psycopg.Connection, run_id: str, relation: str) -> list[str]:
    """Copy the run's MTU units outside the org tree from ``relation``; returns each reason."""
    conn.execute("delete from audit.mtu_units_outside_tree where run_id = %s", (run_id,))
    rows = conn.execute(
        "insert into audit.mtu_units_outside_tree"
        " (run_id, survey_id, round_end_date, file_type, org_unit_code, n_left_out, reason)"
        " select %s, survey_id, round_end_date, file_type, org_unit_code, n_left_out,"
        " format('%%s %%s of %%s on org unit %%s, which is not in the org tree on the round''s'"
        " || ' end %%s, were left out', n_left_out,"
        " case file_type when 'responses' then 'respondents' else 'invitations' end,"
        " survey_id, org_unit_code, round_end_date)"
        f" from {relation}"
        " returning reason",
        (run_id,),
    ).fetchall()
    return [str(reason) for (reason,) in rows]


def record_publication(
    conn: psycopg.Connection, run_id: str, published: Iterable[str], kept: Mapping[str, str]
) -> None:
    """Which marts the swap published and which it kept from an earlier night, and why."""
    for mart in published:
        conn.execute(
            "insert into audit.mart_outcomes (run_id, mart, status) values (%s, %s, 'published')"
            " on conflict (run_id, mart) do update set status = 'published', reason = null,"
            " recorded_at = now()",
            (run_id, mart),
        )
    for mart, reason in kept.items():
        conn.execute(
            "insert into audit.mart_outcomes (run_id, mart, status, reason) values (%s, %s, 'kept', %s)"
            " on conflict (run_id, mart) do update set status = 'kept', reason = excluded.reason,"
            " recorded_at = now()",
            (run_id, mart, reason),
        )


def disclosure_memo(conn: psycopg.Connection) -> dict[str, tuple[str, Any, Any, str]]:
    """Per family, the digest of the inputs the disclosure control last protected, the cells it
    suppressed then ([mart, key] as JSON), the family's audit counts and the run that searched
    it (disclosure/memo.py). Rows from before the counts were kept are left out: searched again."""
    return {
        str(family): (str(digest), suppressed, checked, str(run_id))
        for family, digest, suppressed, checked, run_id in conn.execute(
            "select family, digest, suppressed, checked, run_id from audit.disclosure_memo"
            " where checked is not null"
        )
    }


def record_disclosure_memo(
    conn: psycopg.Connection, run_id: str, families: Iterable[tuple[str, str, Any, Any, str]]
) -> None:
    """Replace the memory with tonight's families: (family, digest, suppressed cells, counts, the
    run that searched it: empty for tonight's ``run_id``)."""
    conn.execute("delete from audit.disclosure_memo")
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into audit.disclosure_memo (family, digest, suppressed, checked, run_id)"
            " values (%s, %s, %s, %s, %s)",
            [
                (family, digest, Jsonb(suppressed), Jsonb(checked), searched_in or run_id)
                for family, digest, suppressed, checked, searched_in in families
            ],
        )


def disclosure_gate_memo(conn: psycopg.Connection, part: str) -> tuple[str, list[Any], list[Any]] | None:
    """The publish gate's last passing verdict on a part of its audit: the digest of the rows it
    read, the queries it read them with (parameters bound: structure, never a figure) with the
    number of rows taken from each, and its counts per family (disclosure/gate_memo.py); None
    when there is none."""
    row = conn.execute(
        "select digest, queries, audits from audit.disclosure_gate_memo where part = %s", (part,)
    ).fetchone()
    return None if row is None else (str(row[0]), list(row[1]), list(row[2]))


def record_disclosure_gate_memo(
    conn: psycopg.Connection, part: str, digest: str, queries: list[Any], audits: list[Any]
) -> None:
    """Remember a part's passing verdict (replacing the last one)."""
    conn.execute(
        "insert into audit.disclosure_gate_memo (part, digest, queries, audits) values (%s, %s, %s, %s)"
        " on conflict (part) do update set digest = excluded.digest, queries = excluded.queries,"
        " audits = excluded.audits, recorded_at = now()",
        (part, digest, Jsonb(queries), Jsonb(audits)),
    )


def forget_disclosure_gate_memo(conn: psycopg.Connection, part: str | None = None) -> None:
    """Forget the gate's verdict on one part, or on every part."""
    if part is None:
        conn.execute("delete from audit.disclosure_gate_memo")
    else:
        conn.execute("delete from audit.disclosure_gate_memo where part = %s", (part,))


def record_disclosure_checks(
    conn: psycopg.Connection,
    run_id: str,
    stage: str,
    seconds: float,
    checks: Iterable[tuple[str, int, int, int, int]],
) -> None:
    """Counts of one disclosure stage per mart: (mart, published cells, small groups, determined,
    extra suppressions). Never a figure."""
    for mart, cells, small_groups, determined, extra in checks:
        conn.execute(
            """
            insert into audit.disclosure_checks
                (run_id, stage, mart, published_cells, small_groups, determined, extra_suppressions, seconds)
            values (%s, %s, %s, %s, %s, %s, %s, %s)
            """,
            (run_id, stage, mart, cells, small_groups, determined, extra, round(seconds, 3)),
        )
