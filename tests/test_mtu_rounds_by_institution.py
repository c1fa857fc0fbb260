"""MTU rounds of two institutions in one warehouse, a round without submission times, and
respondents on a unit the org tree does not know; k = 1 so every figure is visible.

    1000 Styrelsen A (institution A)       2000 Styrelsen B (institution B)
    └── 1100 Kontor A1                     └── 2100 Kontor B1

Rounds (Q1, tillid, 1-5): A2024 ends 2024-05-02 (1100 answers 3 → 50), B2025 ends 2025-05-05
(2100 answers 2 → 25), A2026 ends 2026-05-04 (1100 answers 4 → 75; 3 respondents and 5
invitations on unit 9999, which is in no org tree), B2026 carries no submission times (2100
answers 5 → 100). The first night is 2026-10-01; a second night, 2026-12-01, loads nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import fresh_database
from nights import query, run_night

pytestmark = pytest.mark.slow  # the module's warehouse is built by whole nights through dbt

FIRST_NIGHT = dt.date(2026, 10, 1)
SECOND_NIGHT = dt.date(2026, 12, 1)

ORG_UNITS = """org_unit_code;name;parent_code;institution_code;unit_type
1000;Styrelsen A;;A;institution
1100;Kontor A1;1000;A;kontor
2000;Styrelsen B;;B;institution
2100;Kontor B1;2000;B;kontor
"""

QUESTIONS = """question_code;text_da;dimension;scale_min;scale_max;reverse_scored;dont_know_code
Q1;Jeg stoler på min leders udmeldinger;tillid;1;5;nej;9
"""


def responses(survey: str, units: list[tuple[str, int]], submitted: str | None, answer: int) -> str:
    header = "respondent_id;org_unit_code;submitted_at;Q1" if submitted else "respondent_id;org_unit_code;Q1"
    lines = [header]
    number = 0
    for unit, count in units:
        for _ in range(count):
            number += 1
            when = f"{submitted} 12:00;" if submitted else ""
            lines.append(f"{survey}-R{number};{unit};{when}{answer}")
    return "\n".join(lines) + "\n"


def write_drop(landing: Path) -> Path:
    files = {
        "hr/org_units_20260630.csv": ORG_UNITS,
        "hr/employees_20260630.csv": "employee_number;org_unit_code;hire_date\nE1;1100;2020-01-01\n",
        "mtu/A2024_questions.csv": QUESTIONS,
        "mtu/A2024_invitations.csv": "org_unit_code;invited\n1100;3\n",
        "mtu/A2024_responses.csv": responses("A2024", [("1100", 2)], "2024-05-02", 3),
        "mtu/B2025_questions.csv": QUESTIONS,
        "mtu/B2025_invitations.csv": "org_unit_code;invited\n2100;3\n",
        "mtu/B2025_responses.csv": responses("B2025", [("2100", 2)], "2025-05-05", 2),
        "mtu/A2026_questions.csv": QUESTIONS,
        "mtu/A2026_invitations.csv": "org_unit_code;invited\n1100;3\n9999;5\n",
        "mtu/A2026_responses.csv": responses("A2026", [("1100", 2), ("9999", 3)], "2026-05-04", 4),
        "mtu/B2026_questions.csv": QUESTIONS,
        "mtu/B2026_invitations.csv": "org_unit_code;invited\n2100;4\n",
        "mtu/B2026_responses.csv": responses("B2026", [("2100", 3)], None, 5),
    }
    for name, text in files.items():
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return landing


@dataclass(frozen=True)
class Warehouse:
    dsn: str
    first_run_id: str
    round_ends_after_first_night: dict[str, str]


def round_ends(dsn: str) -> dict[str, str]:
    rows = query(dsn, "select distinct survey_id, round_end_date::text from marts.mtu_dimension_results")
    return {str(survey): str(end) for survey, end in rows}


@pytest.fixture(scope="module")
def warehouse(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    with fresh_database(pg_server) as dsn, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", dsn)
        patch.setenv("CULTURE_MIN_GROUP_SIZE", "1")
        landing = write_drop(tmp_path_factory.mktemp("landing"))
        first = run_night(landing, FIRST_NIGHT)
        ends = round_ends(dsn)
        run_night(landing, SECOND_NIGHT)
        yield Warehouse(dsn, first.run_id, ends)


def as_float(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def scorecard(dsn: str, unit: str, period_end: str) -> dict[str, object]:
    rows = query(
        dsn,
        "select mtu_survey_id, trust_index, tillid_delta from marts.culture_scorecard"
        " where org_unit_code = %s and period_end = %s",
        unit,
        period_end,
    )
    assert len(rows) == 1, rows
    survey, trust, delta = (as_float(value) for value in rows[0])
    return {"survey": survey, "trust": trust, "delta": delta}


def mtu_group(dsn: str, unit: str, period_end: str) -> tuple[object, ...]:
    """(mtu_suppressed, mtu_n_respondents) of a scorecard row."""
    rows = query(
        dsn,
        "select mtu_suppressed, mtu_n_respondents from marts.culture_scorecard"
        " where org_unit_code = %s and period_end = %s",
        unit,
        period_end,
    )
    assert len(rows) == 1, rows
    return tuple(rows[0])


def test_the_scorecard_shows_the_latest_round_of_each_units_own_institution(warehouse: Warehouse) -> None:
    # On 2026-09-30 the latest round anywhere is A2026, but institution B's latest is B2025.
    assert scorecard(warehouse.dsn, "2100", "2026-09-30") == {"survey": "B2025", "trust": 25.0, "delta": None}
    assert scorecard(warehouse.dsn, "2000", "2026-09-30")["survey"] == "B2025"
    # On 2025-06-30 B2025 is the newest round, but institution A still shows A2024.
    assert scorecard(warehouse.dsn, "1100", "2025-06-30")["survey"] == "A2024"
    assert scorecard(warehouse.dsn, "1100", "2025-06-30")["trust"] == 50.0


def test_a_delta_compares_with_the_previous_round_of_the_units_own_institution(warehouse: Warehouse) -> None:
    # A2026 follows B2025 in time, but 1100's previous round is A2024: 75 - 50.
    assert scorecard(warehouse.dsn, "1100", "2026-09-30") == {"survey": "A2026", "trust": 75.0, "delta": 25.0}
    assert query(
        warehouse.dsn,
        "select previous_survey_id, delta from marts.mtu_dimension_results"
        " where survey_id = 'A2026' and org_unit_code = '1100' and dimension = 'tillid'",
    ) == [("A2024", Decimal(25))]
    assert query(
        warehouse.dsn,
        "select previous_survey_id, delta from marts.mtu_question_results"
        " where survey_id = 'B2026' and org_unit_code = '2100' and question_code = 'Q1'",
    ) == [("B2025", Decimal(75))]


def test_the_scorecard_shows_whether_the_mtu_figures_are_suppressed_and_the_respondents(
    warehouse: Warehouse,
) -> None:
    assert mtu_group(warehouse.dsn, "1000", "2026-09-30") == (False, 2)
    assert mtu_group(warehouse.dsn, "2100", "2026-09-30") == (False, 2)
    # Before any round of its institution a unit has no MTU group at all.
    assert mtu_group(warehouse.dsn, "1100", "2024-03-31") == (None, None)


def test_a_round_without_submission_times_ends_on_the_as_of_date_of_the_night_that_first_loaded_it(
    warehouse: Warehouse,
) -> None:
    assert warehouse.round_ends_after_first_night["B2026"] == "2026-10-01"
    # The next night, loading nothing new, keeps that end (not its own as-of, not the load time).
    assert round_ends(warehouse.dsn)["B2026"] == "2026-10-01"
    assert round_ends(warehouse.dsn)["A2026"] == "2026-05-04"


def test_respondents_and_invitations_on_a_unit_outside_the_rounds_org_tree_are_reported(
    warehouse: Warehouse,
) -> None:
    assert query(
        warehouse.dsn,
        "select survey_id, file_type, org_unit_code, n_left_out from audit.mtu_units_outside_tree"
        " where run_id = %s order by file_type",
        warehouse.first_run_id,
    ) == [("A2026", "invitations", "9999", 5), ("A2026", "responses", "9999", 3)]
    # They count nowhere: the root of institution A has only its own 2 respondents.
    assert query(
        warehouse.dsn,
        "select n_respondents from marts.mtu_dimension_results where survey_id = 'A2026'"
        " and org_unit_code = '1000'",
    ) == [(2,)]


NOT_INDICATORS = {
    "org_unit_code", "org_unit_name", "parent_code", "institution_code", "org_level", "org_path",
    "period_start", "period_end", "mtu_survey_id", "absence_suppressed", "mtu_suppressed",
}  # fmt: skip


def test_the_indicator_catalog_lists_exactly_the_indicator_columns_of_the_scorecard(
    warehouse: Warehouse,
) -> None:
    columns = {
        str(row[0])
        for row in query(
            warehouse.dsn,
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'culture_scorecard'",
        )
    }
    catalog = {
        str(row[0]) for row in query(warehouse.dsn, "select indicator_code from marts.indicator_catalog")
    }
    assert columns >= NOT_INDICATORS
    assert sorted(columns - NOT_INDICATORS - catalog) == [], "published but not in the catalog"
    assert sorted(catalog - (columns - NOT_INDICATORS)) == [], "in the catalog but not published"
