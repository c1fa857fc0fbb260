"""Confidentiality of MTU figures end to end (door → dbt → marts), k = 5, rules of indicators.md.

    1000 Styrelsen                 MTU2025: —        MTU2026: 2 respondents of its own
    ├── 1100 Afdeling A
    │   ├── 1110 Kontor A1         MTU2025: 6        MTU2026: 6
    │   └── 1120 Kontor A2         MTU2025: 3        MTU2026: 3
    └── 1200 Afdeling B
        ├── 1210 Kontor B1         MTU2025: 5        MTU2026: 5
        └── 1220 Kontor B2         MTU2025: 5        MTU2026: 5

Everybody answers Q1 (tillid) with 3 in 2025 (score 50) and 4 in 2026 (score 75).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from disclosure_attack import attack_mtu

from conftest import fresh_database
from nights import query, run_night

pytestmark = pytest.mark.slow  # the module's warehouse is built by a whole night through dbt

AS_OF = dt.date(2026, 10, 1)

ORG_UNITS = """org_unit_code;name;parent_code;institution_code;unit_type
1000;Styrelsen;;INST;institution
1100;Afdeling A;1000;INST;afdeling
1110;Kontor A1;1100;INST;kontor
1120;Kontor A2;1100;INST;kontor
1200;Afdeling B;1000;INST;afdeling
1210;Kontor B1;1200;INST;kontor
1220;Kontor B2;1200;INST;kontor
"""

EMPLOYEES = "employee_number;org_unit_code;hire_date\nE1;1110;2020-01-01\nE2;1210;2020-01-01\n"

QUESTIONS = """question_code;text_da;dimension;scale_min;scale_max;reverse_scored;dont_know_code
Q1;Jeg stoler på min leders udmeldinger;tillid;1;5;nej;9
"""

# (unit, job family, respondents)
ROUND_2025 = [("1110", "Drift", 6), ("1120", "Drift", 3), ("1210", "Drift", 5), ("1220", "Drift", 5)]
ROUND_2026 = [
    ("1000", "Økonomi", 2),
    ("1110", "Drift", 6),
    ("1120", "Økonomi", 1),
    ("1120", "IT", 2),
    ("1210", "Drift", 5),
    ("1220", "IT", 4),
    ("1220", "Drift", 1),
]


def responses(survey: str, day: str, groups: list[tuple[str, str, int]], answer: int) -> str:
    lines = ["respondent_id;org_unit_code;submitted_at;bg_job_family;Q1"]
    number = 0
    for unit, job_family, count in groups:
        for _ in range(count):
            number += 1
            lines.append(f"{survey}-R{number:02d};{unit};{day} 12:00;{job_family};{answer}")
    return "\n".join(lines) + "\n"


def invitations(groups: list[tuple[str, str, int]]) -> str:
    invited: dict[str, int] = {}
    for unit, _, count in groups:
        invited[unit] = invited.get(unit, 0) + count + 1
    return "org_unit_code;invited\n" + "".join(f"{unit};{n}\n" for unit, n in invited.items())


def write_drop(landing: Path) -> Path:
    files = {
        "hr/org_units_20260630.csv": ORG_UNITS,
        "hr/employees_20260630.csv": EMPLOYEES,
        "mtu/MTU2025_questions.csv": QUESTIONS,
        "mtu/MTU2025_invitations.csv": invitations(ROUND_2025),
        "mtu/MTU2025_responses.csv": responses("MTU2025", "2025-05-12", ROUND_2025, 3),
        "mtu/MTU2026_questions.csv": QUESTIONS,
        "mtu/MTU2026_invitations.csv": invitations(ROUND_2026),
        "mtu/MTU2026_responses.csv": responses("MTU2026", "2026-05-11", ROUND_2026, 4),
    }
    for name, text in files.items():
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return landing


@pytest.fixture(scope="module")
def dsn(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One night over the drop above with k = 5, in a database of this module's own."""
    with fresh_database(pg_server) as warehouse, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", warehouse)
        patch.setenv("CULTURE_MIN_GROUP_SIZE", "5")
        run_night(write_drop(tmp_path_factory.mktemp("landing")), AS_OF)
        yield warehouse


def as_float(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def tillid(dsn: str, survey: str) -> dict[str, tuple[object, ...]]:
    """(n_respondents, score, favourable_pct, delta, suppressed) of tillid by unit."""
    rows = query(
        dsn,
        "select org_unit_code, n_respondents, score, favourable_pct, delta, suppressed"
        " from marts.mtu_dimension_results where survey_id = %s and dimension = 'tillid'",
        survey,
    )
    return {row[0]: tuple(as_float(value) for value in row[1:]) for row in rows}


def test_a_unit_with_fewer_than_k_respondents_shows_only_its_count(dsn: str) -> None:
    assert tillid(dsn, "MTU2025")["1120"] == (3, None, None, None, True)
    assert tillid(dsn, "MTU2026")["1120"] == (3, None, None, None, True)
    assert query(
        dsn,
        "select n_respondents, score, favourable_pct, delta, suppressed from marts.mtu_question_results"
        " where survey_id = 'MTU2026' and org_unit_code = '1120'",
    ) == [(3, None, None, None, True)]
    assert query(
        dsn,
        "select mtu_survey_id, trust_index, social_capital_index, enps, response_rate_pct"
        " from marts.culture_scorecard where org_unit_code = '1120' and period_end = '2026-09-30'",
    ) == [("MTU2026", None, None, None, None)]


def test_a_sibling_is_suppressed_so_a_small_unit_cannot_be_recovered_from_its_parent(dsn: str) -> None:
    # 2025: 1100 (9) minus 1110 (6) would give 1120's 3 respondents; rule 3 hides 1110.
    figures = tillid(dsn, "MTU2025")
    assert figures["1100"] == (9, 50.0, 0.0, None, False)
    assert figures["1110"] == (6, None, None, None, True)
    assert figures["1000"] == (19, 50.0, 0.0, None, False)
    assert figures["1200"][-1] is False and figures["1210"][-1] is False and figures["1220"][-1] is False
    reasons = query(
        dsn,
        "select org_unit_code, suppression_reason from intermediate.int_mtu_groups"
        " where survey_id = 'MTU2025' and suppressed",
    )
    assert dict(reasons) == {"1110": "rule3: cover", "1120": "rule1: fewer than k"}


def test_a_parent_is_suppressed_when_the_level_above_would_reveal_the_small_unit(dsn: str) -> None:
    # 2026: the root has 2 respondents of its own. With 1100 (9) and 1200 (10) shown, root minus
    # both leaves those 2; rule 3 hides the smaller, 1100, whose place 1110 takes: root (21) minus
    # 1200 (10) minus 1110 (6) now leaves 5 = k respondents (the root's 2 and 1120's 3).
    figures = tillid(dsn, "MTU2026")
    assert figures["1100"] == (9, None, None, None, True)
    assert figures["1110"][:3] == (6, 75.0, 100.0)
    assert figures["1000"][:3] == (21, 75.0, 100.0)
    assert [unit for unit, values in sorted(figures.items()) if values[-1]] == ["1100", "1120"]


def test_a_delta_is_null_when_either_round_is_suppressed(dsn: str) -> None:
    deltas = {unit: values[3] for unit, values in tillid(dsn, "MTU2026").items()}
    assert deltas == {
        "1000": 25.0,  # 75 - 50, shown in both rounds
        "1100": None,  # suppressed now
        "1110": None,  # shown now, suppressed in 2025
        "1120": None,  # suppressed in both
        "1200": 25.0,
        "1210": 25.0,
        "1220": 25.0,
    }


def test_breakdown_groups_under_k_are_suppressed_and_covered_inside_their_unit(dsn: str) -> None:
    # Rules 1 and 3 as the dbt model decides them; rule 5 (the whole publication) may hide more
    # in the published mart, checked at the end.
    rows = query(
        dsn,
        "select org_unit_code, background_value, n_respondents, score, suppressed"
        " from intermediate.int_mtu_breakdown_results where survey_id = 'MTU2026' and dimension = 'tillid'"
        " and background_variable = 'job_family' order by org_unit_code, background_value",
    )
    assert [tuple(as_float(value) for value in row) for row in rows] == [
        # Økonomi (3) is under k; the root minus Drift minus IT would give it, so IT is hidden.
        ("1000", "Drift", 12, 75.0, False),
        ("1000", "IT", 6, None, True),
        ("1000", "Økonomi", 3, None, True),
        # 1100 itself is suppressed, so is its breakdown.
        ("1100", "Drift", 6, None, True),
        ("1100", "IT", 2, None, True),
        ("1100", "Økonomi", 1, None, True),
        ("1110", "Drift", 6, 75.0, False),
        ("1120", "IT", 2, None, True),
        ("1120", "Økonomi", 1, None, True),
        # IT (4) is under k, and 1200 minus Drift would give it.
        ("1200", "Drift", 6, None, True),
        ("1200", "IT", 4, None, True),
        ("1210", "Drift", 5, 75.0, False),
        ("1220", "Drift", 1, None, True),
        ("1220", "IT", 4, None, True),
    ]
    # 1000's Drift (12) − 1110's (6) − 1210's (5) would give 1220's one person: rule 5 hides at
    # least one of them in the published mart.
    shown = query(
        dsn,
        "select org_unit_code from marts.mtu_breakdown_results where survey_id = 'MTU2026'"
        " and dimension = 'tillid' and background_variable = 'job_family' and background_value = 'Drift'"
        " and not suppressed order by 1",
    )
    assert len(shown) < 3
    with psycopg.connect(dsn) as conn:
        assert attack_mtu(conn, "marts", 5) == []


def test_no_marts_table_holds_a_respondent_id_or_a_row_per_respondent(dsn: str) -> None:
    columns = query(
        dsn,
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'",
    )
    assert {table for table, _ in columns} >= {
        "mtu_dimension_results", "mtu_question_results", "mtu_breakdown_results", "culture_scorecard",
    }  # fmt: skip
    assert [(table, column) for table, column in columns if "respondent_id" in column] == []
    for table in {table for table, _ in columns}:
        hits = query(
            dsn,
            f"select count(*) from marts.{table} as t where t::text ~ 'MTU202[56]-R[0-9]'",
        )
        assert hits == [(0,)], table


def test_no_table_can_join_a_respondent_to_an_employee(dsn: str) -> None:
    respondent_tables = query(
        dsn,
        "select table_schema, table_name from information_schema.columns"
        " where column_name = 'respondent_id' and table_schema not in ('pg_catalog', 'information_schema')",
    )
    assert ("raw", "mtu_answers") in respondent_tables
    for schema, table in respondent_tables:
        employee_columns = query(
            dsn,
            "select column_name from information_schema.columns where table_schema = %s"
            " and table_name = %s and (column_name like '%%employee%%' or column_name like 'cpr%%')",
            schema,
            table,
        )
        assert employee_columns == [], f"{schema}.{table}"


def test_the_scorecard_flags_suppressed_mtu_figures_and_keeps_the_respondent_count(dsn: str) -> None:
    flags = query(
        dsn,
        "select org_unit_code, mtu_suppressed, mtu_n_respondents from marts.culture_scorecard"
        " where period_end = '2026-09-30' and org_unit_code in ('1000', '1100', '1120') order by 1",
    )
    assert flags == [("1000", False, 21), ("1100", True, 9), ("1120", True, 3)]
