"""Fault injection against a real PostgreSQL: re-runs, broken files, failed gates, killed loads.

Marts only ever change to a complete, tested new version; everything else leaves yesterday's
figures in place and says why.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import psycopg
import pytest

from culture_warehouse import pipeline
from culture_warehouse.publish import PublishBlocked
from drops import employees_csv, write_hr_drop
from nights import ingest_hr_while_its_copy_is_killed, query, run_night

pytestmark = pytest.mark.slow  # whole nights through dbt, with faults injected

NIGHT_1 = dt.date(2026, 7, 1)
NIGHT_2 = dt.date(2026, 10, 1)


def fingerprint(dsn: str, schema: str) -> dict[str, str]:
    """An order-independent digest of every table's contents in a schema."""
    with psycopg.connect(dsn) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = %s", (schema,)
            ).fetchall()
        ]
        digests = {}
        for table in tables:
            row = conn.execute(
                f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
                f' from {schema}."{table}" t'
            ).fetchone()
            assert row is not None
            digests[table] = f"{row[0]}:{row[1]}"
    return digests


def published_contents(dsn: str) -> dict[str, str]:
    """Every mart's digest except ``publication_status``, which names the run that published."""
    digests = fingerprint(dsn, "marts")
    assert "publication_status" in digests
    return {table: digest for table, digest in digests.items() if table != "publication_status"}


def raw_fingerprint(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        tables = conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
        return {
            str(t): int(conn.execute(f'select count(*) from raw."{t}"').fetchone()[0])  # type: ignore[index]
            for (t,) in tables
        }


def scorecard(dsn: str) -> list[tuple[object, ...]]:
    return query(
        dsn, "select org_unit_code, period_end, n_employees from marts.culture_scorecard order by 1, 2"
    )


def test_running_the_same_night_twice_changes_nothing_in_raw_or_marts(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path)
    run_night(tmp_path, NIGHT_2)
    raw, published_contents_before = raw_fingerprint(warehouse_dsn), published_contents(warehouse_dsn)
    run_night(tmp_path, NIGHT_2)
    assert raw_fingerprint(warehouse_dsn) == raw
    assert published_contents(warehouse_dsn) == published_contents_before


def test_replaying_the_landing_zone_from_scratch_gives_the_nightly_warehouse(
    warehouse_dsn: str, pg_server: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, "20260630", 6, 4)
    run_night(tmp_path, NIGHT_1)
    (tmp_path / "hr" / "employees_20260930.csv").write_text(employees_csv(7, 2))
    run_night(tmp_path, NIGHT_2)
    nightly = published_contents(warehouse_dsn)
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        for schema in ("raw", "audit", "marts", "marts_previous", "staging", "intermediate"):
            conn.execute(f"drop schema if exists {schema} cascade")
    run_night(tmp_path, NIGHT_2)
    assert published_contents(warehouse_dsn) == nightly


def test_broken_files_are_rejected_or_quarantined_and_yesterdays_figures_stay(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path)
    run_night(tmp_path, NIGHT_1)
    before = scorecard(warehouse_dsn)
    hr = tmp_path / "hr"
    (hr / "employees_20260701.csv").write_bytes(
        b'employee_number;org_unit_code;hire_date\nE1;1100;"2020-01-0'
    )
    (hr / "org_units_20260701.csv").write_bytes("org_unit_code;name\n1000;Styrelsen\n".encode("utf-16"))
    (hr / "mus_20260701.csv").write_text("dialogue_id;employee_number;held_on\nM1;E0001;2026-06-01\n")
    (tmp_path / "apv").mkdir()
    (tmp_path / "apv" / "apv_20260701.xlsx").write_bytes(b"this is not a workbook")
    (hr / "absence_20260701.csv").write_text(
        "absence_id;employee_number;absence_type;start_date;end_date;workdays;last_modified;remark\n"
        "A1;E0001;egen sygdom;2026-06-10;2026-06-08;2;2026-07-01 02:00;x\n"
        "A2;E0001;egen sygdom;2026-06-10;2026-06-12;-3;2026-07-01 02:00;x\n"
        "A3;E0001;egen sygdom;2026-06-10;2026-06-12;3;2026-07-01 02:00;x\n"
        "A4;E0002;egen sygdom;2026-06-15;2026-06-15;1;2026-07-01 02:00;x\n"
        "A5;E0003;barns sygdom;2026-06-16;;1;2026-07-01 02:00;x\n"
    )
    (tmp_path / "notes.txt").write_text("not a delivery")
    run_night(tmp_path, NIGHT_1 + dt.timedelta(days=1))
    ledger = {
        name: (status, reason or "")
        for name, status, reason in query(
            warehouse_dsn, "select file_name, status, reason from audit.load_ledger"
        )
    }
    assert ledger["employees_20260701.csv"][0] == "rejected"
    assert "line 2" in ledger["employees_20260701.csv"][1]
    assert ledger["org_units_20260701.csv"] == (
        "rejected",
        "org_units_20260701.csv: UTF-16 text: expected UTF-8 or Windows-1252",
    )
    assert "missing required column 'dialogue_type'" in ledger["mus_20260701.csv"][1]
    assert "not an XLSX workbook" in ledger["apv_20260701.xlsx"][1]
    assert ledger["notes.txt"] == ("rejected", "unrecognised file")
    assert ledger["absence_20260701.csv"] == ("loaded", "unknown columns not loaded: remark")
    assert query(
        warehouse_dsn, "select line_number, column_name, reason from audit.quarantine order by line_number"
    ) == [(2, "end_date", "end_date is before start_date"), (3, "workdays", "workdays is negative")]
    assert query(warehouse_dsn, "select column_name from audit.schema_drift") == [("remark",)]
    assert scorecard(warehouse_dsn) == before


OPERATIONS = ("source_freshness", "publication_status")


def data_marts(fingerprints: dict[str, str]) -> dict[str, str]:
    """The marts that hold figures (not tonight's freshness and publication records)."""
    return {table: digest for table, digest in fingerprints.items() if table not in OPERATIONS}


def test_a_failing_dbt_test_keeps_last_nights_marts_and_fails_the_run_with_the_reason(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path)
    run_night(tmp_path, NIGHT_1)
    before = fingerprint(warehouse_dsn, "marts")
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        # A defect that slipped past the door: the same employee twice in one snapshot.
        conn.execute("insert into raw.hr_employees select * from raw.hr_employees where _line = 2")
    with pytest.raises(PublishBlocked, match="unique_combination"):
        run_night(tmp_path, NIGHT_2)
    assert data_marts(fingerprint(warehouse_dsn, "marts")) == data_marts(before)
    assert bi_reader_count(warehouse_dsn) > 0
    status, reason = query(warehouse_dsn, "select status, reason from audit.runs order by started_at desc")[0]
    assert status == "partial"
    assert "culture_scorecard kept from an earlier night: dbt fail: unique_combination" in reason
    kept = dict(
        query(
            warehouse_dsn,
            "select mart, built_for_night from marts.publication_status"
            " where status = 'kept from an earlier night'",
        )
    )
    assert kept == {"culture_scorecard": NIGHT_1, "absence_monthly": NIGHT_1}
    # The org tree does not read the broken employee snapshot: it is tonight's.
    assert query(
        warehouse_dsn,
        "select status, built_for_night from marts.publication_status where mart = 'dim_org_unit'",
    ) == [("published tonight", NIGHT_2)]
    # Airflow retrying the publish task after its swap committed: same verdict, nothing swapped again.
    (run_id,) = query(warehouse_dsn, "select run_id from audit.runs order by started_at desc limit 1")[0]
    published = fingerprint(warehouse_dsn, "marts")
    with pytest.raises(PublishBlocked, match="unique_combination"):
        pipeline.publish(run_id)
    assert fingerprint(warehouse_dsn, "marts") == published


def test_a_failing_audit_gate_on_the_built_marts_keeps_last_nights_marts(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_hr_drop(tmp_path)
    run_night(tmp_path, NIGHT_1)
    before = fingerprint(warehouse_dsn, "marts")
    strict = tmp_path / "marts_culture_scorecard.json"
    strict.write_text(
        '{"name": "marts_culture_scorecard", "expectations": [{"type":'
        ' "expect_column_values_to_be_between", "kwargs": {"column": "n_employees", "max_value": 3}}]}'
    )
    # A deployment's own suite (the marts' suites run in a process of their own: an environment
    # variable reaches it, a patched function would not).
    monkeypatch.setenv("CULTURE_EXPECTATIONS_DIR", str(tmp_path))
    with pytest.raises(PublishBlocked, match="n_employees"):
        run_night(tmp_path, NIGHT_2)
    after = fingerprint(warehouse_dsn, "marts")
    assert after["culture_scorecard"] == before["culture_scorecard"]
    assert query(warehouse_dsn, "select status from audit.runs order by started_at desc limit 1") == [
        ("partial",)
    ]
    assert query(
        warehouse_dsn, "select success from audit.validation_results where source = 'marts' and not success"
    ) == [(False,)]
    assert query(
        warehouse_dsn, "select mart, status from marts.publication_status where status <> 'published tonight'"
    ) == [("culture_scorecard", "kept from an earlier night")]


def bi_reader_count(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        conn.execute("set role culture_bi_reader")
        row = conn.execute("select count(*) from marts.culture_scorecard").fetchone()
        assert row is not None
        return int(row[0])


def test_bi_readers_never_get_an_error_while_nights_publish(warehouse_dsn: str, tmp_path: Path) -> None:
    write_hr_drop(tmp_path)
    run_night(tmp_path, NIGHT_1)
    errors: list[str] = []
    reads = 0
    stop = threading.Event()

    def read_continuously() -> None:
        nonlocal reads
        with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
            conn.execute("set role culture_bi_reader")
            while not stop.is_set():
                try:
                    conn.execute("select count(*), sum(n_employees) from marts.culture_scorecard").fetchone()
                    reads += 1
                except psycopg.Error as error:
                    errors.append(str(error))

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        for _ in range(2):
            pipeline.transform(NIGHT_2, "busy", 5)
            pipeline.publish("busy")
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert reads > 10


def test_no_bi_access_outside_marts(warehouse_dsn: str, tmp_path: Path) -> None:
    write_hr_drop(tmp_path)
    run_night(tmp_path, NIGHT_1)
    for table in ("raw.hr_employees", "audit.load_ledger", "marts_previous.culture_scorecard"):
        with psycopg.connect(warehouse_dsn) as conn:
            conn.execute("set role culture_bi_reader")
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from {table} limit 1")


def test_a_connection_killed_mid_load_leaves_no_partial_batch_and_the_retry_loads_it_all(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, n_a=150_000, n_b=50_000)
    pipeline.start_night(NIGHT_1, "killed", str(tmp_path))
    killed, failure = ingest_hr_while_its_copy_is_killed(warehouse_dsn, NIGHT_1, "killed", tmp_path)
    assert killed, "the COPY finished before it could be interrupted"
    assert failure, "the interrupted load must fail the task so that Airflow retries it"
    visible = query(
        warehouse_dsn,
        "select count(*) from raw.hr_employees e join audit.load_ledger l on l.load_id = e._load_id"
        " where l.status = 'loaded'",
    )
    assert visible == [(0,)]
    pipeline.start_night(NIGHT_1, "retry", str(tmp_path))
    pipeline.ingest("hr", NIGHT_1, "retry", str(tmp_path))
    assert query(warehouse_dsn, "select count(*) from raw.hr_employees") == [(200_000,)]
    assert query(warehouse_dsn, "select status, count(*) from audit.load_ledger group by status") == [
        ("loaded", 2)
    ]
