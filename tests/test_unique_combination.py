"""The project's combination test (macros/unique_combination.sql) compares a hash of each row's
values first and groups only the values whose hash repeats: it must still report exactly the
values two or more rows share, as grouping by the values does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from culture_warehouse.transform import dbt_args
from culture_warehouse.warehouse import dbt_connection_env


def _compiled(dsn: str, target: Path, monkeypatch: pytest.MonkeyPatch, inline: str) -> str:
    """What dbt compiles for the SQL ``inline``, in this project."""
    from dbt.cli.main import dbtRunner

    for name, value in dbt_connection_env(dsn).items():
        monkeypatch.setenv(name, value)
    args = dbt_args("compile", dt.date(2026, 10, 1), 5, "marts_build", log_level="none", target_path=target)
    result = dbtRunner().invoke([*args, "--inline", inline])
    assert result.success, result.exception
    (node,) = result.result.results
    return str(node.node.compiled_code)


@pytest.fixture
def rows(warehouse_dsn: str) -> Iterator[str]:
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        conn.execute("create table public.facts (unit text, month date, n integer)")
        conn.execute(
            """insert into public.facts values
            ('A', '2026-01-01', 1), ('A', '2026-01-01', 2), ('A', '2026-01-01', 3),
            ('A', '2026-02-01', 4), ('B', '2026-01-01', 5),
            (null, '2026-03-01', 6), (null, '2026-03-01', 7), ('C', null, 8), ('D', null, 9)"""
        )
    yield warehouse_dsn


def _failures(dsn: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return sorted(conn.execute(sql).fetchall(), key=repr)


def test_a_combination_test_reports_each_combination_two_rows_share_with_its_rows_nulls_alike(
    rows: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    combination = "{{ test_unique_combination('public.facts', ['unit', 'month']) }}"
    sql = _compiled(rows, tmp_path, monkeypatch, combination)
    assert _failures(rows, sql) == sorted(
        [("A", dt.date(2026, 1, 1), 3), (None, dt.date(2026, 3, 1), 2)], key=repr
    )
    grouped = "select unit, month, count(*) from public.facts group by unit, month having count(*) > 1"
    assert _failures(rows, sql) == _failures(rows, grouped)


def test_no_repeated_value_no_failure(rows: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sql = _compiled(rows, tmp_path, monkeypatch, "{{ test_unique_combination('public.facts', ['n']) }}")
    assert _failures(rows, sql) == []
