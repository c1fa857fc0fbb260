"""Question results are suppressed by the number of valid answers to the question, k = 5.

    1000 Styrelsen
    ├── 1100 Kontor A    10 respondents: all answer Q1, only 2 answer Q2 (the rest leave it blank)
    └── 1200 Kontor B     6 respondents: all answer Q1 and Q2

Q1 is shown everywhere. Q2 has 2 valid answers in 1100 (rule 1 hides it though the unit has 10
respondents) and 8 in 1000; with 1100 hidden, 1000 minus 1200 would give 1100's 2 answers, so
rule 3 hides Q2 in 1200 too.
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
1100;Kontor A;1000;INST;kontor
1200;Kontor B;1000;INST;kontor
"""

QUESTIONS = """question_code;text_da;dimension;scale_min;scale_max;reverse_scored;dont_know_code
Q1;Jeg stoler på min leders udmeldinger;tillid;1;5;nej;9
Q2;Ledelsen stoler på medarbejderne;tillid;1;5;nej;9
"""


def responses() -> str:
    lines = ["respondent_id;org_unit_code;submitted_at;Q1;Q2"]
    for number in range(10):
        lines.append(f"A{number};1100;2026-05-11 12:00;4;{4 if number < 2 else ''}")
    for number in range(6):
        lines.append(f"B{number};1200;2026-05-11 12:00;4;5")
    return "\n".join(lines) + "\n"


def write_drop(landing: Path) -> Path:
    files = {
        "hr/org_units_20260630.csv": ORG_UNITS,
        "hr/employees_20260630.csv": "employee_number;org_unit_code;hire_date\nE1;1100;2020-01-01\n",
        "mtu/MTU2026_questions.csv": QUESTIONS,
        "mtu/MTU2026_invitations.csv": "org_unit_code;invited\n1100;12\n1200;8\n",
        "mtu/MTU2026_responses.csv": responses(),
    }
    for name, text in files.items():
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return landing


@pytest.fixture(scope="module")
def dsn(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(pg_server) as warehouse, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", warehouse)
        patch.setenv("CULTURE_MIN_GROUP_SIZE", "5")
        run_night(write_drop(tmp_path_factory.mktemp("landing")), AS_OF)
        yield warehouse


def questions(
    dsn: str, code: str, table: str = "marts.mtu_question_results"
) -> dict[str, tuple[object, ...]]:
    """(n_respondents, score, suppressed) of a question by unit."""
    rows = query(
        dsn,
        f"select org_unit_code, n_respondents, score, suppressed from {table}"
        " where survey_id = 'MTU2026' and question_code = %s",
        code,
    )
    return {
        row[0]: tuple(float(value) if isinstance(value, Decimal) else value for value in row[1:])
        for row in rows
    }


def test_a_question_answered_by_fewer_than_k_in_a_large_unit_is_suppressed(dsn: str) -> None:
    assert questions(dsn, "Q2")["1100"] == (2, None, True)
    # The unit's own figures stay shown: it has 10 respondents.
    assert query(
        dsn,
        "select n_respondents, suppressed from marts.mtu_dimension_results"
        " where survey_id = 'MTU2026' and org_unit_code = '1100' and dimension = 'tillid'",
    ) == [(10, False)]


def test_a_question_row_counts_the_valid_answers_to_that_question_in_the_subtree(dsn: str) -> None:
    assert {unit: values[0] for unit, values in questions(dsn, "Q2").items()} == {
        "1000": 8,
        "1100": 2,
        "1200": 6,
    }
    assert {unit: values[0] for unit, values in questions(dsn, "Q1").items()} == {
        "1000": 16,
        "1100": 10,
        "1200": 6,
    }


def test_a_sibling_question_is_suppressed_so_the_few_answers_cannot_be_recovered_by_differencing(
    dsn: str,
) -> None:
    # Rules 1 and 3, per question, as the dbt model decides them:
    assert questions(dsn, "Q2", "intermediate.int_mtu_question_results") == {
        "1000": (8, 93.75, False),
        "1100": (2, None, True),
        "1200": (6, None, True),
    }
    q1 = questions(dsn, "Q1", "intermediate.int_mtu_question_results")
    assert [values[-1] for values in q1.values()] == [False, False, False]
    # Rule 5 then sees that 1100's tillid result minus its Q1 gives its two Q2 answers, and
    # suppresses more questions in the published mart: nothing small can be solved for.
    assert questions(dsn, "Q2")["1100"] == (2, None, True)
    with psycopg.connect(dsn) as conn:
        assert attack_mtu(conn, "marts", 5) == []
