"""Absence is health data: rules 2 and 3 of indicators.md on the scorecard and absence_monthly.

The drop (k = 5, everyone at fte 1, employed all window unless noted):

    3000 Root ── 3100 Afdeling (its director D works directly here) ── 3110 Kontor (6 employees)
             └── 3200 Afdeling (8 employees) ── 3210 Team (2 employees)
                                             └── 3220 Team (2 employees, + 3 hired 2026-07-01)

3100 (7 people) and 3110 (6) are both large enough, but 3100 − 3110 is the director alone: the
cover rule must suppress 3110. 3210 is below k (rule 2). 3220 has 5 people on the period end but
an average headcount over the 12 months of 2 + 3 × 92 / 365 ≈ 2.76: the group size of absence
figures is the average headcount, so it is suppressed too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import fresh_database
from nights import query, run_night

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 10, 1)
Q3_2026 = dt.date(2026, 9, 30)
K = 5

PARENTS = {"3000": None, "3100": "3000", "3110": "3100", "3200": "3000", "3210": "3200", "3220": "3200"}
ORG_UNITS = "org_unit_code;name;parent_code;institution_code;unit_type\n" + "".join(
    f"{code};Enhed {code};{parent or ''};I3;afdeling\n" for code, parent in PARENTS.items()
)
STAFF = (
    [("D", "3100", "2020-01-01")]
    + [(f"E11{n}", "3110", "2020-01-01") for n in range(6)]
    + [(f"E20{n}", "3200", "2020-01-01") for n in range(8)]
    + [(f"E21{n}", "3210", "2020-01-01") for n in range(2)]
    + [(f"E22{n}", "3220", "2020-01-01") for n in range(2)]
    + [(f"E23{n}", "3220", "2026-07-01") for n in range(3)]
)
EMPLOYEES = "employee_number;org_unit_code;hire_date;fte\n" + "".join(
    f"{number};{unit};{hired};1\n" for number, unit, hired in STAFF
)
# Own illness in March 2026: the director 10 days, one of 3110's staff 5, one of 3210's 3.
ABSENCE = """absence_id;employee_number;absence_type;start_date;end_date;workdays;deleted;last_modified
s1;D;egen sygdom;2026-03-02;2026-03-13;10;nej;2026-03-16 09:00
s2;E110;egen sygdom;2026-03-02;2026-03-06;5;nej;2026-03-09 09:00
s3;E210;egen sygdom;2026-03-09;2026-03-11;3;nej;2026-03-12 09:00
"""

# Average headcount over 2025-10-01..2026-09-30 (365 days) of each subtree.
NEW_IN_3220 = 3 * 92 / 365
SIZE = {
    "3110": 6,
    "3100": 7,
    "3210": 2,
    "3220": 2 + NEW_IN_3220,
    "3200": 8 + 2 + 2 + NEW_IN_3220,
    "3000": 7 + 12 + NEW_IN_3220,
}


@pytest.fixture(scope="module")
def warehouse(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    landing = tmp_path_factory.mktemp("absence-landing")
    hr: Path = landing / "hr"
    hr.mkdir()
    (hr / "org_units_20250930.csv").write_text(ORG_UNITS, encoding="utf-8")
    (hr / "employees_20250930.csv").write_text(EMPLOYEES, encoding="utf-8")
    (hr / "employees_20260930.csv").write_text(EMPLOYEES, encoding="utf-8")
    (hr / "absence_20260331.csv").write_text(ABSENCE, encoding="utf-8")
    with fresh_database(pg_server) as dsn, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", dsn)
        patch.setenv("CULTURE_MIN_GROUP_SIZE", str(K))
        run_night(landing, AS_OF)
        yield dsn


def scorecard_absence(dsn: str) -> dict[str, tuple[float | None, float | None, bool, float | None]]:
    rows = query(
        dsn,
        "select org_unit_code, sick_days_per_fte_12m, long_term_sick_share_12m, absence_suppressed,"
        " turnover_pct_12m from marts.culture_scorecard where period_end = %s",
        Q3_2026,
    )
    return {
        unit: (
            None if sick is None else float(sick),
            None if share is None else float(share),
            suppressed,
            None if turnover is None else float(turnover),
        )
        for unit, sick, share, suppressed, turnover in rows
    }


def test_director_alone_on_an_inner_unit_suppresses_the_child_by_the_cover_rule(warehouse: str) -> None:
    figures = scorecard_absence(warehouse)
    # 3110 has 6 people, but showing it next to 3100 (7) would give away the director's 10 days.
    assert figures["3110"][:3] == (None, None, True)
    # 3100 stays: 15 days over 7 FTE-years × 365/365.25.
    assert figures["3100"][2] is False
    assert figures["3100"][0] == pytest.approx(15 / (7 * 365 / 365.25))


def test_groups_below_k_average_headcount_are_suppressed_even_with_k_people_at_period_end(
    warehouse: str,
) -> None:
    figures = scorecard_absence(warehouse)
    assert figures["3210"][:3] == (None, None, True)
    headcount = query(
        warehouse,
        "select n_employees from marts.culture_scorecard where org_unit_code = '3220' and period_end = %s",
        Q3_2026,
    )
    assert headcount == [(5,)]
    assert figures["3220"][:3] == (None, None, True)
    # The root and 3200 are shown; their own figures include the suppressed units' days.
    assert figures["3200"][0] == pytest.approx(3 / (SIZE["3200"] * 365 / 365.25))
    assert figures["3000"][0] == pytest.approx(18 / (SIZE["3000"] * 365 / 365.25))


def test_suppression_nulls_only_the_absence_figures(warehouse: str) -> None:
    # Turnover is not health data: 3110 shows 0 % though its absence figures are suppressed.
    assert scorecard_absence(warehouse)["3110"][3] == 0.0


def test_absence_monthly_leaves_no_shown_unit_with_between_0_and_k_uncovered_members(warehouse: str) -> None:
    rows = query(
        warehouse,
        "select month_start, org_unit_code, avg_headcount, sick_days, sick_days_per_fte, suppressed"
        " from marts.absence_monthly",
    )
    assert rows
    months: dict[dt.date, dict[str, tuple[float, bool]]] = {}
    for month, unit, headcount, sick_days, per_fte, suppressed in rows:
        assert suppressed == (sick_days is None) == (per_fte is None)
        months.setdefault(month, {})[unit] = (float(headcount), suppressed)
    for month, units in months.items():
        for unit, (size, suppressed) in units.items():
            if suppressed:
                continue
            assert size >= K, (month, unit)
            uncovered = size - sum(cover_size for cover_size in shown_cover(unit, units))
            assert uncovered < 1e-6 or uncovered >= K, (month, unit, uncovered)


def shown_cover(unit: str, units: dict[str, tuple[float, bool]]) -> Iterator[float]:
    """Sizes of the shown units below ``unit`` that have no shown unit between them and it."""
    for child, parent in PARENTS.items():
        if parent != unit:
            continue
        size, suppressed = units[child]
        if suppressed:
            yield from shown_cover(child, units)
        else:
            yield size


def test_absence_monthly_shows_march_figures_of_large_enough_units_only(warehouse: str) -> None:
    rows = query(
        warehouse,
        "select org_unit_code, sick_days, avg_headcount, suppressed from marts.absence_monthly"
        " where month_start = '2026-03-01'",
    )
    march: dict[str, tuple[float | None, float, bool]] = {}
    for unit, days, size, hidden in rows:
        march[unit] = (None if days is None else float(days), float(size), hidden)
    assert march["3100"] == (15.0, 7.0, False)
    assert march["3110"] == (None, 6.0, True)
    assert march["3210"] == (None, 2.0, True)
    # Before the three hires in July, 3220 had 2 people; the root's March days are all 18.
    assert march["3220"] == (None, 2.0, True)
    assert march["3000"] == (18.0, 19.0, False)
