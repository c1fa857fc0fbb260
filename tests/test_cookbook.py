"""The analysts' cookbook (docs/cookbook/*.sql) answers its questions on a night built from the
acceptance drop, read where it lies (../shared/acceptance, never copied), as the BI role reads.

Where a figure is easy to derive, it is compared with the drop's expected.json, which an
independent implementation computed from indicators.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import fresh_database
from culture_warehouse.config import project_dir
from culture_warehouse.warehouse import BI_ROLE
from nights import run_night

pytestmark = pytest.mark.slow  # one whole night from the acceptance drop

COOKBOOK = project_dir() / "docs" / "cookbook"
ACCEPTANCE = Path(os.environ.get("CULTURE_ACCEPTANCE_DIR", project_dir().parent / "shared" / "acceptance"))
AS_OF = dt.date(2026, 10, 1)


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    path = ACCEPTANCE / "drop" / "expected.json"
    if not path.exists():
        pytest.skip(f"no acceptance drop at {ACCEPTANCE}")
    return dict(json.loads(path.read_text()))


@pytest.fixture(scope="module")
def night(pg_server: str, expected: dict[str, Any]) -> Iterator[str]:
    """The DSN of a warehouse holding one night of the acceptance drop."""
    with fresh_database(pg_server) as dsn, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", dsn)
        run_night(ACCEPTANCE / "drop" / "landing", AS_OF)
        yield dsn


def answer(dsn: str, name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one cookbook query with the privileges of the BI role only."""
    (path,) = COOKBOOK.glob(f"{name}*.sql")
    with psycopg.connect(dsn) as conn:
        conn.execute(f"set role {BI_ROLE}")
        cursor = conn.execute(path.read_text())
        return [column.name for column in cursor.description or []], cursor.fetchall()


def scorecard(expected: dict[str, Any], unit: str, column: str) -> Any:
    (value,) = [
        c["value"]
        for c in expected["checks"]
        if c["kind"] == "scorecard" and c["org_unit_code"] == unit and c["column"] == column
    ]
    return value


def near(value: Decimal | None, figure: float | None, places: int) -> bool:
    if value is None or figure is None:
        return value is None and figure is None
    return abs(float(value) - figure) <= 0.5 * 10**-places + 1e-9


def test_the_cookbook_has_ten_queries_each_with_its_question() -> None:
    queries = sorted(COOKBOOK.glob("*.sql"))
    assert len(queries) == 10
    for query in queries:
        assert query.read_text().startswith("-- "), query.name


def test_units_whose_trust_fell_are_those_with_a_negative_tillid_delta(
    night: str, expected: dict[str, Any]
) -> None:
    columns, rows = answer(night, "01_")
    assert columns[:2] == ["org_unit_code", "org_unit_name"] and "trust_change" in columns
    fell = {
        c["org_unit_code"]
        for c in expected["checks"]
        if c["kind"] == "mtu_delta" and c["dimension"] == "tillid" and (c["delta"] or 0) < 0
    }
    assert {row[0] for row in rows} == fell  # on this drop trust rose everywhere: no rows
    assert all(row[columns.index("trust_change")] < 0 for row in rows)


def test_absence_per_fte_by_directorate_is_the_scorecards_12_month_figure(
    night: str, expected: dict[str, Any]
) -> None:
    columns, rows = answer(night, "02_")
    by_unit = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
    assert set(by_unit) == {"2100", "2200"}  # the two directorates (org_level 2)
    for unit, row in by_unit.items():
        figure = scorecard(expected, unit, "sick_days_per_fte_12m")
        assert near(row["sick_days_per_fte_12m"], figure, 2), unit
        assert row["absence_suppressed"] is (figure is None)


def test_rounds_not_followed_up_within_120_days_match_the_scorecard(
    night: str, expected: dict[str, Any]
) -> None:
    columns, rows = answer(night, "03_")
    units = {row[0] for row in rows}
    for check in expected["checks"]:
        if check.get("column") == "mtu_followed_up":
            assert (check["org_unit_code"] in units) is (not check["value"]), check
    assert "2000" not in units  # the institution's SU took up the round
    assert all(row[columns.index("follow_up_due")] <= dt.date(2026, 9, 30) for row in rows)


def test_the_institutions_scorecard_shows_four_quarters_newest_first(
    night: str, expected: dict[str, Any]
) -> None:
    columns, rows = answer(night, "04_")
    assert [row[columns.index("period_end")] for row in rows] == [
        dt.date(2026, 9, 30), dt.date(2026, 6, 30), dt.date(2026, 3, 31), dt.date(2025, 12, 31)
    ]  # fmt: skip
    latest = dict(zip(columns, rows[0], strict=True))
    assert latest["n_employees"] == scorecard(expected, "2000", "n_employees")
    assert near(latest["trust_index"], scorecard(expected, "2000", "trust_index"), 1)
    assert near(latest["enps"], scorecard(expected, "2000", "enps"), 1)


def test_figures_carry_the_catalogues_danish_and_english_labels(night: str, expected: dict[str, Any]) -> None:
    columns, rows = answer(night, "05_")
    by_code = {row[columns.index("indicator_code")]: dict(zip(columns, row, strict=True)) for row in rows}
    assert len(by_code) == 6
    assert by_code["turnover_pct_12m"]["label_da"] == "Personaleomsætning"
    assert by_code["turnover_pct_12m"]["label_en"] == "Staff turnover"
    assert near(by_code["turnover_pct_12m"]["value"], scorecard(expected, "2000", "turnover_pct_12m"), 1)
    assert by_code["sick_days_per_fte_12m"]["higher_is_better"] is False


def test_absence_by_month_gives_twelve_months_per_directorate(night: str) -> None:
    columns, rows = answer(night, "06_")
    months: dict[str, set[dt.date]] = {}
    for row in rows:
        months.setdefault(row[0], set()).add(row[columns.index("month_start")])
    assert set(months) == {"2100", "2200"}
    assert all(len(m) == 12 and max(m) == dt.date(2026, 9, 1) for m in months.values())


def test_overdue_apv_findings_are_the_scorecards_overdue_actions(
    night: str, expected: dict[str, Any]
) -> None:
    columns, rows = answer(night, "07_")
    assert len(rows) == scorecard(expected, "2000", "apv_overdue_actions")
    assert all(row[columns.index("days_overdue")] > 0 for row in rows)


def test_committee_meetings_by_type_add_up_to_the_scorecards_12_months(
    night: str, expected: dict[str, Any]
) -> None:
    columns, rows = answer(night, "08_")
    assert {row[0] for row in rows} == {"2000"}
    assert sum(row[columns.index("meetings")] for row in rows) == scorecard(
        expected, "2000", "committee_meetings_12m"
    )


def test_the_weakest_questions_are_the_lowest_published_scores(night: str) -> None:
    columns, rows = answer(night, "09_")
    scores = [row[columns.index("score")] for row in rows]
    assert 0 < len(rows) <= 10
    assert scores == sorted(scores)
    assert {row[0] for row in rows} == {"MTU2026"}


def test_freshness_lists_every_mart_bi_reads_and_when_it_was_built(night: str) -> None:
    columns, rows = answer(night, "10_")
    assert columns == ["mart", "status", "built_for_night", "held_back_reason", "late_sources"]
    assert {"culture_scorecard", "dim_org_unit", "publication_status"} <= {row[0] for row in rows}
    assert {row[1] for row in rows} == {"published tonight"}
    assert {row[2] for row in rows} == {AS_OF}


def test_every_column_bi_reads_has_a_danish_and_english_comment(night: str) -> None:
    with psycopg.connect(night) as conn:
        conn.execute(f"set role {BI_ROLE}")
        undocumented = conn.execute(
            "select c.relname, a.attname from pg_attribute a join pg_class c on a.attrelid = c.oid"
            " where c.relnamespace = 'marts'::regnamespace and c.relkind = 'r' and a.attnum > 0"
            " and not a.attisdropped and coalesce(col_description(c.oid, a.attnum), '') !~ '^da: .*\n\nen: '"
        ).fetchall()
        tables = conn.execute(
            "select count(*) from pg_class where relnamespace = 'marts'::regnamespace and relkind = 'r'"
            " and coalesce(obj_description(oid), '') = ''"
        ).fetchone()
    assert undocumented == []
    assert tables == (0,)
