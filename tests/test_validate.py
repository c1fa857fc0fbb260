"""The Great Expectations gate itself: a failing expectation still rejects, its reason names no
value, and the context cached per process gives each warehouse, suite and load its own verdict."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest

from conftest import fresh_database
from culture_warehouse import pipeline, validate
from nights import query

NEEDLE = "needle-7f3a"  # a value that must never reach a reason, a log or a stored result
AS_OF = dt.date(2026, 10, 1)


def make_table(dsn: str, codes: list[str | None]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("create schema if not exists raw")
        conn.execute("create table raw.gate (_load_id int, code text)")
        for load_id, code in enumerate(codes, start=1):
            conn.execute("insert into raw.gate values (%s, %s), (%s, 'ok')", (load_id, code, load_id))


def use_suites(monkeypatch: pytest.MonkeyPatch, folder: Path, **suites: list[dict[str, Any]]) -> None:
    for name, expectations in suites.items():
        write_suite(folder, name, expectations)
    real = validate.suite_path
    monkeypatch.setattr(validate, "suite_path", lambda s: folder / f"{s}.json" if s in suites else real(s))


def write_suite(folder: Path, name: str, expectations: list[dict[str, Any]]) -> None:
    path = folder / f"{name}.json"
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(json.dumps({"name": name, "expectations": expectations}), encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))  # an edit is seen even within one clock tick


IN_SET = [
    {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
    {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "code", "value_set": ["ok"]}},
]
NOT_NULL = [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "code"}}]


def gate(dsn: str, suite: str, load_id: int) -> validate.SuiteOutcome:
    return validate.validate_query(
        dsn, suite, f"select * from raw.gate where _load_id = {load_id}", f"{suite}_{load_id}"
    )


def test_a_failing_expectation_fails_the_suite_with_a_count_and_no_value(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_table(warehouse_dsn, ["ok", NEEDLE])
    use_suites(monkeypatch, tmp_path, gate_in_set=IN_SET)

    assert gate(warehouse_dsn, "gate_in_set", 1).success
    failed = gate(warehouse_dsn, "gate_in_set", 2)
    assert not failed.success
    assert failed.failed == (
        validate.ExpectationOutcome("expect_column_values_to_be_in_set", "code", False, 1),
    )
    assert failed.reason() == (
        "failed Great Expectations suite 'gate_in_set': expect_column_values_to_be_in_set"
        " on column 'code' (1 rows)"
    )
    assert NEEDLE not in repr(failed)


def test_no_row_of_the_validated_load_leaves_postgresql(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every result set GX receives, passing suite or failing, is read back: no value is in any."""
    from sqlalchemy import event

    make_table(warehouse_dsn, [NEEDLE])
    use_suites(monkeypatch, tmp_path, gate_in_set=IN_SET)
    received: list[str] = []

    def look(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if cursor.description is not None:
            received.append(repr(cursor.fetchall()))
            cursor.scroll(0, mode="absolute")  # hand GX its rows untouched

    gate(warehouse_dsn, "gate_in_set", 1)  # builds the engine
    engine = validate._asset(warehouse_dsn).datasource.get_execution_engine().engine
    event.listen(engine, "after_cursor_execute", look)
    try:
        assert not gate(warehouse_dsn, "gate_in_set", 1).success
    finally:
        event.remove(engine, "after_cursor_execute", look)
    assert received
    assert not [rows for rows in received if NEEDLE in rows]


def test_the_cached_context_gives_two_warehouses_and_two_suites_independent_verdicts(
    pg_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_suites(monkeypatch, tmp_path, gate_in_set=IN_SET, gate_not_null=NOT_NULL)
    with fresh_database(pg_server) as first, fresh_database(pg_server) as second:
        make_table(first, ["ok", "bad"])  # load 2 breaks the set
        make_table(second, [None, "ok"])  # load 1 breaks not-null
        verdicts = [
            (dsn, suite, load_id, gate(dsn, suite, load_id).success)
            for _ in range(2)
            for dsn in (first, second)
            for suite in ("gate_in_set", "gate_not_null")
            for load_id in (1, 2)
        ]
    expected = {
        ("first", "gate_in_set", 1): True,
        ("first", "gate_in_set", 2): False,
        ("first", "gate_not_null", 1): True,
        ("first", "gate_not_null", 2): True,
        ("second", "gate_in_set", 1): True,  # a null is not outside the set
        ("second", "gate_in_set", 2): True,
        ("second", "gate_not_null", 1): False,
        ("second", "gate_not_null", 2): True,
    }
    named = {first: "first", second: "second"}
    assert [((named[d], s, n), ok) for d, s, n, ok in verdicts] == list(expected.items()) * 2


def test_an_edited_suite_takes_effect_in_a_long_lived_process(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_table(warehouse_dsn, [None])
    use_suites(monkeypatch, tmp_path, gate_edit=IN_SET)
    assert gate(warehouse_dsn, "gate_edit", 1).success
    write_suite(tmp_path, "gate_edit", IN_SET + NOT_NULL)
    assert not gate(warehouse_dsn, "gate_edit", 1).success


def test_a_file_failing_its_suite_is_rejected_at_the_door_naming_no_value(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    """Two rows with one employee number pass every row rule; the suite's uniqueness check stops the file."""
    hr = tmp_path / "hr"
    hr.mkdir()
    (hr / "org_units_20260930.csv").write_text(
        "org_unit_code;name;parent_code;institution_code;unit_type\n"
        "1000;Styrelsen;;INST;institution\n1100;Kontor A;1000;INST;kontor\n",
        encoding="utf-8",
    )
    (hr / "employees_20260930.csv").write_text(
        "employee_number;org_unit_code;hire_date;fte;gender\n"
        f"{NEEDLE};1100;2020-02-01;0,8;K\n{NEEDLE};1100;2021-03-15;1,0;K\n",
        encoding="utf-8",
    )
    pipeline.start_night(AS_OF, "r1", str(tmp_path))
    pipeline.ingest("hr", AS_OF, "r1", str(tmp_path))
    rows = query(
        warehouse_dsn,
        "select file_name, status, reason from audit.load_ledger where file_name like 'employees%'",
    )
    assert [(name, status) for name, status, _ in rows] == [("employees_20260930.csv", "rejected")]
    reason = str(rows[0][2])
    assert "expect_column_values_to_be_unique on column 'employee_number' (2 rows)" in reason
    assert query(warehouse_dsn, "select count(*) from raw.hr_employees") == [(0,)]
    stored = query(warehouse_dsn, "select failures from audit.validation_results where not success")
    assert stored and all(NEEDLE not in str(failures) for (failures,) in stored)
    assert NEEDLE not in reason


def test_a_group_restates_table_statements_per_load_and_asks_every_row_where_a_share_was_allowed() -> None:
    restated = validate.group_expectations(
        [
            {"type": "expect_table_row_count_to_equal", "kwargs": {"value": 1}},
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 2}},
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "code"}},
            {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "b"]}},
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "c", "value_set": [1], "mostly": 0.9},
            },
        ]
    )
    rows = validate.ROWS_IN_LOAD
    assert restated == [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": rows, "min_value": 1, "max_value": 1},
        },
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": rows, "min_value": 2}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["_load_id", "code"]}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["_load_id", "a", "b"]}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "c", "value_set": [1]}},
    ]
    # A statement about the whole table that has no per-load form keeps the suite per load.
    assert validate.group_expectations([{"type": "expect_column_mean_to_be_between", "kwargs": {}}]) is None


ORG_HEADER = "org_unit_code;name;parent_code;institution_code;unit_type\n"
ORG_ROWS = "1000;Styrelsen {month};;INST;institution\n1100;Kontor A;1000;INST;kontor\n"


def write_org_files(landing: Path, bad: set[int]) -> None:
    (landing / "hr").mkdir(parents=True, exist_ok=True)
    for month in range(1, 6):
        duplicate = "1100;Kontor A igen;1000;INST;kontor\n" if month in bad else ""
        rows = ORG_ROWS.format(month=month) + duplicate
        (landing / "hr" / f"org_units_2026{month:02d}01.csv").write_text(ORG_HEADER + rows)


def count_runs(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    from culture_warehouse import ingest

    runs = {"group": 0, "alone": 0}
    group, alone = ingest.validate_group, ingest.validate_query

    def counted_group(*args: Any) -> validate.SuiteOutcome:
        runs["group"] += 1
        return group(*args)

    def counted_alone(*args: Any) -> validate.SuiteOutcome:
        runs["alone"] += 1
        return alone(*args)

    monkeypatch.setattr(ingest, "validate_group", counted_group)
    monkeypatch.setattr(ingest, "validate_query", counted_alone)
    return runs


def test_small_files_of_a_folder_are_validated_together_in_one_run(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_org_files(tmp_path, bad=set())
    runs = count_runs(monkeypatch)
    pipeline.start_night(AS_OF, "r1", str(tmp_path))
    pipeline.ingest("hr", AS_OF, "r1", str(tmp_path))

    assert runs == {"group": 1, "alone": 0}
    statuses = query(warehouse_dsn, "select status, count(*) from audit.load_ledger group by status")
    assert statuses == [("loaded", 5)]
    recorded = query(
        warehouse_dsn,
        "select count(*), bool_and(success) from audit.validation_results where suite = 'hr_org_units'",
    )
    assert recorded == [(5, True)]  # one verdict per file, as when each ran alone


def test_a_file_failing_in_a_group_is_rejected_for_its_own_reason_and_the_others_load(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_org_files(tmp_path, bad={3})
    runs = count_runs(monkeypatch)
    pipeline.start_night(AS_OF, "r1", str(tmp_path))
    pipeline.ingest("hr", AS_OF, "r1", str(tmp_path))

    assert runs == {"group": 1, "alone": 5}  # the group failed, so each file was judged alone
    ledger = query(
        warehouse_dsn, "select file_name, status, reason from audit.load_ledger order by file_name"
    )
    assert [status for _, status, _ in ledger] == ["loaded", "loaded", "rejected", "loaded", "loaded"]
    reason = ledger[2][2]
    assert reason.startswith("org_units_20260301.csv: failed Great Expectations suite 'hr_org_units'")
    assert "expect_column_values_to_be_unique on column 'org_unit_code'" in reason
    assert "Kontor A igen" not in reason
    visible = query(warehouse_dsn, "select count(*) from raw.hr_org_units where _load_id in"
                    " (select load_id from audit.load_ledger where status = 'loaded')")  # fmt: skip
    assert visible == [(8,)]
    assert query(warehouse_dsn, "select count(*) from raw.hr_org_units") == [(8,)]  # the bad rows are gone


def test_large_loads_are_validated_behind_the_next_read_and_each_keeps_its_own_verdict(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from culture_warehouse import ingest

    monkeypatch.setattr(ingest, "GROUPED_LOAD_ROWS", 0)  # every load is "large": none is grouped
    write_org_files(tmp_path, bad={2, 4})
    threads: list[str] = []
    alone = ingest.validate_query

    def where_run(*args: Any) -> validate.SuiteOutcome:
        threads.append(threading.current_thread().name)
        return alone(*args)

    monkeypatch.setattr(ingest, "validate_query", where_run)
    pipeline.start_night(AS_OF, "r1", str(tmp_path))
    result = pipeline.ingest("hr", AS_OF, "r1", str(tmp_path))

    assert len(threads) == 5 and all(name.startswith("culture-validate") for name in threads)
    ledger = query(warehouse_dsn, "select file_name, status, reason from audit.load_ledger order by load_id")
    assert [(name, status) for name, status, _ in ledger] == [
        (f"org_units_2026{month:02d}01.csv", "rejected" if month in {2, 4} else "loaded")
        for month in range(1, 6)
    ]
    assert "expect_column_values_to_be_unique on column 'org_unit_code'" in ledger[1][2]
    files = cast(list[dict[str, Any]], result["files"])
    assert [f["status"] for f in files] == ["loaded", "rejected", "loaded", "rejected", "loaded"]
    verdicts = query(
        warehouse_dsn, "select count(*) from audit.validation_results where suite = 'hr_org_units'"
    )
    assert verdicts == [(5,)]
    assert query(warehouse_dsn, "select count(*) from raw.hr_org_units") == [(6,)]  # 3 loads of 2 rows


def test_validation_plans_without_nested_loops_keeping_the_options_a_dsn_already_has() -> None:
    url = validate.validation_url(
        "postgresql://etl:p%40ss@db:5432/culture?options=-c%20work_mem%3D64MB&sslmode=require"
    )

    assert url.startswith("postgresql+psycopg://etl:p%40ss@db:5432/culture?")
    assert "sslmode=require" in url
    assert "options=-c%20work_mem%3D64MB%20-c%20enable_nestloop%3Doff" in url


def test_a_unique_check_of_loads_newer_than_the_statistics_is_planned_as_a_hash_join(pg_server: str) -> None:
    # The statistics know one small load; then twelve large loads arrive and are validated before
    # autovacuum analyses the table. Their ids are unknown to the statistics, so the rows of
    # `_load_id in (...)` are estimated at one or two: the join back to the counts per value (GX's
    # check of a unique column) would be a nested loop, quadratic in the rows.
    with fresh_database(pg_server) as dsn:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("create schema raw")
            conn.execute(
                "create table raw.units (_load_id bigint, code text) with (autovacuum_enabled = off)"
            )
            conn.execute("insert into raw.units select 1, 'U' || n from generate_series(1, 50) as n")
            conn.execute("analyze raw.units")
            conn.execute(
                "insert into raw.units select load, 'U' || n"
                " from generate_series(2, 13) as load, generate_series(1, 20000) as n"
            )
        loads = "_load_id in (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)"
        check = f"""
            select count(*) from (select * from raw.units where {loads}) as original
            join (
                select _load_id, code, count(*) as n from raw.units where {loads} group by _load_id, code
            ) as counts on counts._load_id = original._load_id and counts.code = original.code
            where counts.n >= 2
        """
        with psycopg.connect(dsn) as conn:
            plain = "\n".join(row[0] for row in conn.execute("explain " + check))
        engine = validate._asset(dsn).datasource.get_execution_engine().engine
        with engine.connect() as connection:
            planned = "\n".join(row[0] for row in connection.exec_driver_sql("explain " + check))

    assert "Nested Loop" in plain  # what any connection would plan from these statistics
    assert "Nested Loop" not in planned and "Hash Join" in planned
