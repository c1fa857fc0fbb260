"""MTU figures through the whole night (door → dbt → marts) on a drop small enough to work by hand.

k is 1 here so that every figure is visible; suppression has its own module. The org tree:

    1000 Styrelsen
    └── 1100 Afdeling        (R4 answers here, on an inner unit)
        ├── 1110 Kontor A    (R1, R2)
        └── 1120 Kontor B    (R3)

Item scores on a 1-5 scale are (v' - 1) / 4 × 100: 1 → 0, 2 → 25, 3 → 50, 4 → 75, 5 → 100.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from pytest import approx

from conftest import fresh_database
from nights import query, run_night

pytestmark = pytest.mark.slow  # the module's warehouse is built by whole nights through dbt

AS_OF = dt.date(2026, 10, 1)

ORG_UNITS = """org_unit_code;name;parent_code;institution_code;unit_type
1000;Styrelsen;;INST;institution
1100;Afdeling;1000;INST;afdeling
1110;Kontor A;1100;INST;kontor
1120;Kontor B;1100;INST;kontor
"""

EMPLOYEES = """employee_number;org_unit_code;hire_date;termination_date;fte
E1;1110;2020-01-01;;1
E2;1120;2020-01-01;;1
"""

QUESTIONS_2026 = """question_code;text_da;dimension;scale_min;scale_max;reverse_scored;dont_know_code
Q1;Jeg stoler på min leders udmeldinger;tillid;1;5;nej;9
Q2;Ledelsen stoler på medarbejderne;tillid;1;5;nej;9
Q3;Kollegerne holder det de lover;tillid;1;5;nej;9
Q4;Min arbejdsmængde er for stor;arbejdspres;1;5;ja;9
Q5;Uenigheder håndteres fair;retfaerdighed;1;5;nej;
Q6;Vi samarbejder godt;samarbejde;1;5;nej;
Q7;Vil du anbefale os som arbejdsplads?;enps;0;10;nej;
"""

# R1: Q3 is don't-know (9). R2: ' 3 ' and '4,0' mean 3 and 4; Q5 is blank. R3 answers one of the
# three tillid items (below the half rule) and 7 on Q4, outside the scale. R4 is on inner unit 1100.
RESPONSES_2026 = """respondent_id;org_unit_code;submitted_at;bg_job_family;Q1;Q2;Q3;Q4;Q5;Q6;Q7
R1;1110;04.05.2026 10:00;Drift;5;4;9;2;4;5;10
R2;1110;05.05.2026 11:00;Drift;3; 3 ;4,0;5;;3;9
R3;1120;06.05.2026 12:00;IT;1;;;7;2;2;6
R4;1100;20.05.2026 09:30;Ledelse;4;5;3;1;;;7
"""

INVITATIONS_2026 = """org_unit_code;invited
1000;1
1100;2
1110;5
1120;2
"""

# Two years earlier: Q2 keeps its code but its text changed; Q3 differs only in spacing and case.
QUESTIONS_2024 = """question_code;text_da;dimension;scale_min;scale_max;reverse_scored;dont_know_code
Q1;Jeg stoler på min leders udmeldinger;tillid;1;5;nej;9
Q2;Ledelsen viser os tillid;tillid;1;5;nej;9
Q3;Kollegerne holder  det de Lover;tillid;1;5;nej;9
Q7;Vil du anbefale os som arbejdsplads?;enps;0;10;nej;
"""

RESPONSES_2024 = """respondent_id;org_unit_code;submitted_at;Q1;Q2;Q3;Q7
P1;1110;2024-05-02 10:00;3;3;3;8
P2;1110;2024-05-03 10:00;2;2;2;5
"""

INVITATIONS_2024 = "org_unit_code;invited\n1110;4\n"


def write_drop(landing: Path) -> Path:
    files = {
        "hr/org_units_20260630.csv": ORG_UNITS,
        "hr/employees_20260630.csv": EMPLOYEES,
        "mtu/MTU2024_questions.csv": QUESTIONS_2024,
        "mtu/MTU2024_responses.csv": RESPONSES_2024,
        "mtu/MTU2024_invitations.csv": INVITATIONS_2024,
        "mtu/MTU2026_questions.csv": QUESTIONS_2026,
        "mtu/MTU2026_responses.csv": RESPONSES_2026,
        "mtu/MTU2026_invitations.csv": INVITATIONS_2026,
    }
    for name, text in files.items():
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return landing


@pytest.fixture(scope="module")
def dsn(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One night over the drop above, in a database of this module's own."""
    with fresh_database(pg_server) as warehouse, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", warehouse)
        patch.setenv("CULTURE_MIN_GROUP_SIZE", "1")
        run_night(write_drop(tmp_path_factory.mktemp("landing")), AS_OF)
        yield warehouse


def floats(row: Sequence[object]) -> list[object]:
    """Numeric columns as floats, so they compare with pytest.approx."""
    return [float(value) if isinstance(value, Decimal) else value for value in row]


def dimension(dsn: str, survey: str, unit: str, name: str) -> dict[str, object]:
    rows = query(
        dsn,
        "select n_respondents, score, favourable_pct, delta, suppressed from marts.mtu_dimension_results"
        " where survey_id = %s and org_unit_code = %s and dimension = %s",
        survey,
        unit,
        name,
    )
    assert len(rows) == 1, rows
    n, score, favourable, delta, suppressed = floats(rows[0])
    return {"n": n, "score": score, "favourable": favourable, "delta": delta, "suppressed": suppressed}


def question(dsn: str, survey: str, unit: str, code: str) -> dict[str, object]:
    rows = query(
        dsn,
        "select score, favourable_pct, delta from marts.mtu_question_results"
        " where survey_id = %s and org_unit_code = %s and question_code = %s",
        survey,
        unit,
        code,
    )
    assert len(rows) == 1, rows
    score, favourable, delta = floats(rows[0])
    return {"score": score, "favourable": favourable, "delta": delta}


def unit_results(dsn: str, unit: str) -> dict[str, object]:
    rows = query(
        dsn,
        "select mtu_survey_id, trust_index, social_capital_index, enps, response_rate_pct"
        " from marts.culture_scorecard where org_unit_code = %s and period_end = '2026-09-30'",
        unit,
    )
    assert len(rows) == 1, rows
    survey, trust, social, enps, rate = floats(rows[0])
    return {"survey": survey, "trust": trust, "social": social, "enps": enps, "rate": rate}


def test_a_dimension_score_is_the_mean_of_respondent_scores_over_the_whole_subtree(dsn: str) -> None:
    # tillid per respondent: R1 (100 + 75) / 2 = 87.5 (Q3 don't-know), R2 (50 + 50 + 75) / 3 = 58.33,
    # R4 (75 + 100 + 50) / 3 = 75; R3 answered 1 of 3 items, under half: no score.
    assert dimension(dsn, "MTU2026", "1110", "tillid")["score"] == approx((87.5 + 175 / 3) / 2)
    # 1100 holds its own respondent R4 and its children's R1-R3.
    assert dimension(dsn, "MTU2026", "1100", "tillid")["score"] == approx((87.5 + 175 / 3 + 75) / 3)
    assert dimension(dsn, "MTU2026", "1000", "tillid")["score"] == approx((87.5 + 175 / 3 + 75) / 3)


def test_n_respondents_counts_every_respondent_of_the_subtree_even_without_a_dimension_score(
    dsn: str,
) -> None:
    assert dimension(dsn, "MTU2026", "1120", "tillid")["n"] == 1
    assert dimension(dsn, "MTU2026", "1100", "tillid")["n"] == 4
    assert dimension(dsn, "MTU2026", "1100", "retfaerdighed")["n"] == 4


def test_a_respondent_under_the_half_rule_has_no_score_but_their_answers_count_for_favourability(
    dsn: str,
) -> None:
    # R3 alone in 1120: no tillid score; Q1 = 1 is one valid, unfavourable answer.
    assert dimension(dsn, "MTU2026", "1120", "tillid") == {
        "n": 1, "score": None, "favourable": approx(0), "delta": None, "suppressed": False,
    }  # fmt: skip
    # Favourable (v' >= 4) of the valid tillid answers in 1100: R1 2 of 2, R2 1 of 3 (the 4,0),
    # R3 0 of 1, R4 2 of 3 → 5 of 9.
    assert dimension(dsn, "MTU2026", "1100", "tillid")["favourable"] == approx(100 * 5 / 9)
    # 1110: R1 2 of 2, R2 1 of 3 → 3 of 5.
    assert dimension(dsn, "MTU2026", "1110", "tillid")["favourable"] == approx(60)


def test_a_reverse_scored_item_is_turned_before_it_is_scored(dsn: str) -> None:
    # Q4 is reverse scored: v' = 1 + 5 - v. R1 2 → 4 (75, favourable), R2 5 → 1 (0), R4 1 → 5 (100).
    assert dimension(dsn, "MTU2026", "1110", "arbejdspres")["score"] == approx((75 + 0) / 2)
    assert dimension(dsn, "MTU2026", "1110", "arbejdspres")["favourable"] == approx(50)
    assert dimension(dsn, "MTU2026", "1100", "arbejdspres")["score"] == approx((75 + 0 + 100) / 3)
    assert dimension(dsn, "MTU2026", "1100", "arbejdspres")["favourable"] == approx(100 * 2 / 3)


def test_dont_know_and_blank_answers_are_left_out_of_scores(dsn: str) -> None:
    # Q3 in 1110: R1 don't know, R2 '4,0' → only 75 counts.
    assert question(dsn, "MTU2026", "1110", "Q3")["score"] == approx(75)
    # Q5 (retfaerdighed) in 1110: R1 4 → 75, R2 blank → R2 has no retfaerdighed score.
    assert dimension(dsn, "MTU2026", "1110", "retfaerdighed")["score"] == approx(75)
    # Q1 in 1100: 5, 3, 1, 4 → (100 + 50 + 0 + 75) / 4, favourable 2 of 4; in 2024 (50 + 25) / 2.
    assert question(dsn, "MTU2026", "1100", "Q1") == {
        "score": approx(56.25), "favourable": approx(50), "delta": approx(56.25 - 37.5),
    }  # fmt: skip


def test_an_invalid_answer_is_quarantined_and_the_respondents_other_answers_still_count(dsn: str) -> None:
    assert query(
        dsn,
        "select file_name, line_number, column_name, reason from audit.quarantine where source = 'mtu'",
    ) == [("MTU2026_responses.csv", 4, "Q4", "answer outside the scale 1–5 (respondent R3)")]
    # R3's Q4 is gone from 1120 (no arbejdspres answers at all) ...
    assert dimension(dsn, "MTU2026", "1120", "arbejdspres")["score"] is None
    # ... while R3's Q5 (2 → 25) and Q7 still count.
    assert dimension(dsn, "MTU2026", "1120", "retfaerdighed")["score"] == approx(25)
    assert unit_results(dsn, "1120")["enps"] == approx(-100)


def test_enps_is_the_share_of_promoters_minus_the_share_of_detractors(dsn: str) -> None:
    # Q7: R1 10 and R2 9 promote, R3 6 detracts, R4 7 is passive.
    assert unit_results(dsn, "1110")["enps"] == approx(100)
    assert unit_results(dsn, "1100")["enps"] == approx(100 * 2 / 4 - 100 * 1 / 4)


def test_the_response_rate_divides_by_invitations_summed_over_the_subtree(dsn: str) -> None:
    assert unit_results(dsn, "1110")["rate"] == approx(100 * 2 / 5)
    assert unit_results(dsn, "1100")["rate"] == approx(100 * 4 / (2 + 5 + 2))
    assert unit_results(dsn, "1000")["rate"] == approx(100 * 4 / (1 + 2 + 5 + 2))


def test_trust_and_social_capital_indexes_come_from_the_dimension_scores(dsn: str) -> None:
    # 1110: tillid (87.5 + 58.33) / 2, retfaerdighed 75 (R1 only), samarbejde (100 + 50) / 2 = 75.
    tillid = (87.5 + 175 / 3) / 2
    assert unit_results(dsn, "1110") == {
        "survey": "MTU2026",
        "trust": approx(tillid),
        "social": approx((tillid + 75 + 75) / 3),
        "enps": approx(100),
        "rate": approx(40),
    }
    # 1120 has no tillid score, so no social capital index either.
    assert unit_results(dsn, "1120")["social"] is None


def test_the_delta_compares_a_dimension_with_the_previous_round_of_the_same_unit(dsn: str) -> None:
    # 2024 in 1110: P1 (50 + 50 + 50) / 3 = 50, P2 25 → 37.5.
    assert dimension(dsn, "MTU2024", "1110", "tillid")["score"] == approx(37.5)
    assert dimension(dsn, "MTU2024", "1110", "tillid")["delta"] is None
    assert dimension(dsn, "MTU2026", "1110", "tillid")["delta"] == approx((87.5 + 175 / 3) / 2 - 37.5)
    assert dimension(dsn, "MTU2026", "1100", "tillid")["delta"] == approx((87.5 + 175 / 3 + 75) / 3 - 37.5)
    # arbejdspres was not asked in 2024.
    assert dimension(dsn, "MTU2026", "1110", "arbejdspres")["delta"] is None


def test_a_question_delta_needs_the_same_code_and_text_in_the_previous_round(dsn: str) -> None:
    # Q1 unchanged: 1110 (100 + 50) / 2 = 75 against (50 + 25) / 2 = 37.5.
    assert question(dsn, "MTU2026", "1110", "Q1")["delta"] == approx(37.5)
    # Q2 kept its code under a new text: no comparison.
    assert question(dsn, "MTU2026", "1110", "Q2")["delta"] is None
    # Q3 differs only in spacing and case: 75 against 37.5.
    assert question(dsn, "MTU2026", "1110", "Q3")["delta"] == approx(37.5)


def test_the_scorecard_shows_the_latest_round_ended_on_or_before_each_period_end(dsn: str) -> None:
    rounds = query(
        dsn,
        "select period_end::text, mtu_survey_id, trust_index from marts.culture_scorecard"
        " where org_unit_code = '1110' and period_end in ('2024-03-31', '2024-06-30', '2026-03-31',"
        " '2026-06-30') order by period_end",
    )
    assert [floats(row) for row in rounds] == [
        ["2024-03-31", None, None],
        ["2024-06-30", "MTU2024", approx(37.5)],
        ["2026-03-31", "MTU2024", approx(37.5)],
        ["2026-06-30", "MTU2026", approx((87.5 + 175 / 3) / 2)],
    ]
