"""HR history and the scorecard's HR and goals indicators, worked out by hand on one small drop.

One landing drop holds every scenario; two nights are run on it (module-scoped, ~1 minute): the
first without the "late" files, the second after they arrived, as files do after an outage. Most
assertions are on the second night, the state every figure must reach whatever the arrival order.

The world (k = 1, so no figure is suppressed here; suppression has its own tests):

    1000 Root ── 1100 Afdeling A
             └── 1200 Afdeling B ── 1210 Team (moved under 1100 by the 2026-03-31 tree snapshot)

    E01  director, directly on 1000
    E02–E04  1100;  E05  1200;  E06, E07  1210
    E08  1100, moves to 1200: the late 2026-06-30 snapshot says so (night 1 only sees 2026-09-30)
    E09  1200, resigns (egen opsigelse) on 2026-09-30, the last day of the window
    E10  1100, leaves 2025-11-30 (afsked), rehired 2026-05-01
    E11  first seen in the 2026-03-31 snapshot, hired 2026-02-01 in 1210 at fte 0.5
    E12  1200, hire date 2025-06-01 corrected to 2025-05-01 by a later snapshot, leaves 2026-01-31

Everyone else is hired 2020-01-01 at fte 1. The 12-month window of the 2026-09-30 quarter is
2025-10-01..2026-09-30: 365 days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from conftest import fresh_database
from nights import query, run_night

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 10, 1)
Q3_2026 = dt.date(2026, 9, 30)

ORG_BEFORE_MOVE = """org_unit_code;name;parent_code;institution_code;unit_type
1000;Root;;I1;institution
1100;Afdeling A;1000;I1;afdeling
1200;Afdeling B;1000;I1;afdeling
1210;Team;1200;I1;team
"""
ORG_AFTER_MOVE = ORG_BEFORE_MOVE.replace("1210;Team;1200", "1210;Team;1100")

EMPLOYEE_HEADER = "employee_number;org_unit_code;hire_date;termination_date;termination_reason;fte\n"
STAYERS = """E01;1000;2020-01-01;;;1
E02;1100;2020-01-01;;;1
E03;1100;2020-01-01;;;1
E04;1100;2020-01-01;;;1
E05;1200;2020-01-01;;;1
E06;1210;2020-01-01;;;1
E07;1210;2020-01-01;;;1
"""
SNAPSHOTS = {
    "employees_20250930.csv": STAYERS
    + """E08;1100;2020-01-01;;;1
E09;1200;2020-01-01;;;1
E10;1100;2019-01-01;;;1
E12;1200;2025-06-01;;;1
""",
    "employees_20260331.csv": STAYERS
    + """E08;1100;2020-01-01;;;1
E09;1200;2020-01-01;;;1
E10;1100;2019-01-01;2025-11-30;afsked;1
E11;1210;2026-02-01;;;0,5
E12;1200;2025-05-01;;;1
""",
    "employees_20260930.csv": STAYERS
    + """E08;1200;2020-01-01;;;1
E09;1200;2020-01-01;2026-09-30;egen opsigelse;1
E10;1100;2026-05-01;;;1
E11;1210;2026-02-01;;;0,5
E12;1200;2025-05-01;2026-01-31;udløb;1
""",
}
LATE_SNAPSHOT = (
    "employees_20260630.csv",
    STAYERS
    + """E08;1200;2020-01-01;;;1
E09;1200;2020-01-01;;;1
E10;1100;2026-05-01;;;1
E11;1210;2026-02-01;;;0,5
E12;1200;2025-05-01;2026-01-31;udløb;1
""",
)

ABSENCE_HEADER = (
    "absence_id;employee_number;absence_type;start_date;end_date;workdays;deleted;last_modified\n"
)
ABSENCE_20260331 = (
    ABSENCE_HEADER
    + """a1;E02;egen sygdom;2025-09-29;2025-10-03;5;nej;2025-10-06 09:00
a2;E03;egen sygdom;2026-01-14;2026-01-14;0,5;nej;2026-01-15 09:00
a4;E05;egen sygdom;2026-02-02;2026-02-06;5;nej;2026-02-10 09:00
a5;E06;egen sygdom;2026-03-16;2026-03-19;4;nej;2026-03-20 10:00
a6;E07;egen sygdom;2026-03-02;2026-03-06;5;nej;2026-03-09 09:00
a10;E03;barns sygdom;2026-03-02;2026-03-02;1;nej;2026-03-03 09:00
"""
)
ABSENCE_20260930 = (
    ABSENCE_HEADER
    + """a4;E05;egen sygdom;2026-02-02;2026-02-04;3;nej;2026-04-15 09:00
a5;E06;egen sygdom;2026-03-16;2026-03-17;2;nej;2026-03-20 10:00
a6;E07;egen sygdom;2026-03-02;2026-03-06;5;ja;2026-04-02 09:00
a3;E04;egen sygdom;2026-09-28;;2;nej;2026-09-30 08:00
a7;E09;egen sygdom;2026-08-15;2026-08-16;1;nej;2026-08-17 09:00
a8;E02;egen sygdom;2026-04-06;2026-05-15;30;nej;2026-05-18 09:00
a9;E08;egen sygdom;2026-06-29;2026-07-03;5;nej;2026-07-06 09:00
a11;E11;egen sygdom;2026-06-01;2026-06-02;2;nej;2026-06-03 09:00
"""
)
# Arrives after the 2026-09-30 delta: its a4 record is older than the correction and must lose.
LATE_ABSENCE = (
    "absence_20260630.csv",
    ABSENCE_HEADER + "a4;E05;egen sygdom;2026-02-02;2026-02-05;4;nej;2026-03-01 09:00\n",
)

MOBILITY_HEADER = (
    "mobility_id;employee_number;mobility_type;from_org_unit_code;to_org_unit_code;start_date;end_date\n"
)
EVENTS = {
    "mus_20260331.csv": """dialogue_id;employee_number;dialogue_type;held_on
D1;E02;MUS;2026-03-10
D2;E03;LUS;2025-12-01
D3;E04;GRUS;2026-02-01
D4;E05;MUS;2025-09-15
D7;E07;MUS;2026-03-01
D8;E08;MUS;2026-01-10
""",
    "mus_20260930.csv": """dialogue_id;employee_number;dialogue_type;held_on
D6;E06;MUS;2026-09-30
D7;E07;MUS;2025-09-01
""",
    "competence_20260331.csv": """activity_id;employee_number;activity_type;title;hours;cost_dkk;completed_on
C1;E02;kursus;Statistik;10;1000;2026-02-10
C2;E03;kursus;Arkivkursus;5;500;2025-09-01
C3;E05;kursus;Jura;4;900;2026-03-05
C4;E06;konference;Dage;3;0;2026-01-20
""",
    "competence_20260930.csv": """activity_id;employee_number;activity_type;title;hours;cost_dkk;completed_on
C3;E05;kursus;Jura;6;900;2026-03-05
C5;E08;kursus;Ledelse;8;2000;2026-07-15
""",
    "mobility_20260331.csv": MOBILITY_HEADER
    + """MB1;E03;udlån;1100;;2026-03-01;2026-04-30
MB3;E06;intern overflytning;1200;1210;2025-09-15;
MB4;E04;udlån;1100;;2025-08-01;2025-08-31
""",
    "mobility_20260930.csv": MOBILITY_HEADER
    + """MB2;E03;udlån;1100;;2026-05-01;2026-05-31
MB4;E04;udlån;1100;;2025-10-15;2025-11-15
MB5;E05;indlån;;1200;2026-09-30;
""",
    "performance_20260331.csv": """review_id;employee_number;period;rating;reviewed_on
P0;E02;2024;1;2025-01-20
P2;E02;2025;3;2026-01-20
P3;E03;2025;2;2026-01-20
P4;E04;2025;2;2026-01-20
P5;E05;2025;1;2026-01-20
P6;E06;2025;5;2026-01-20
P7;E07;2025;3;2026-01-20
P8;E08;2025;2;2026-01-20
P9;E09;2025;4;
""",
    "performance_20260930.csv": """review_id;employee_number;period;rating;reviewed_on
P3;E03;2025;3;2026-01-20
""",
}

GOALS_HEADER = "goal_id;org_unit_code;year;title;target_value;actual_value;unit;achieved;assessed_on\n"
GOALS = {
    "goals_2025.csv": GOALS_HEADER + "G9;1100;2025;Forrige mål;1;0;stk;nej;2025-12-01\n",
    "goals_2026.csv": GOALS_HEADER
    + """G1;1100;2026;Mål 1;1;1;stk;ja;2026-09-01
G2;1100;2026;Mål 2;1;0;stk;nej;2026-09-01
G3;1210;2026;Mål 3;1;0;stk;nej;2026-09-01
""",
}
# The year's plan delivered again (another spelling of the same name): it replaces goals_2026.
LATE_GOALS = (
    "Goals_2026.csv",
    GOALS_HEADER
    + """G1;1100;2026;Mål 1;1;1;stk;ja;2026-09-01
G2;1100;2026;Mål 2;2;1;stk;delvist;2026-09-01
G3;1210;2026;Mål 3;1;0;stk;nej;2026-09-01
G4;1200;2026;Mål 4;1;1;stk;Ja;2026-09-01
""",
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_drop(landing: Path) -> None:
    hr = landing / "hr"
    write(hr / "org_units_20250930.csv", ORG_BEFORE_MOVE)
    write(hr / "org_units_20260331.csv", ORG_AFTER_MOVE)
    write(hr / "org_units_20260930.csv", ORG_AFTER_MOVE)
    for name, rows in SNAPSHOTS.items():
        write(hr / name, EMPLOYEE_HEADER + rows)
    write(hr / "absence_20260331.csv", ABSENCE_20260331)
    write(hr / "absence_20260930.csv", ABSENCE_20260930)
    for name, text in EVENTS.items():
        write(hr / name, text)
    for name, text in GOALS.items():
        write(landing / "results" / name, text)


def deliver_late_files(landing: Path) -> None:
    write(landing / "hr" / LATE_SNAPSHOT[0], EMPLOYEE_HEADER + LATE_SNAPSHOT[1])
    write(landing / "hr" / LATE_ABSENCE[0], LATE_ABSENCE[1])
    write(landing / "results" / LATE_GOALS[0], LATE_GOALS[1])


Row = dict[str, object]


def scorecard(dsn: str, period_end: dt.date) -> dict[str, Row]:
    """The published scorecard rows of one quarter, by unit."""
    with psycopg.connect(dsn) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cursor:
        rows = cursor.execute(
            "select * from marts.culture_scorecard where period_end = %s", (period_end,)
        ).fetchall()
    return {str(row["org_unit_code"]): dict(row) for row in rows}


class Nights:
    def __init__(self, dsn: str, first: dict[dt.date, dict[str, Row]], second: dict[dt.date, dict[str, Row]]):
        self.dsn = dsn
        self.first = first
        self.second = second


@pytest.fixture(scope="module")
def nights(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    """Night 1 on the drop without the late files, night 2 after they arrived (same as-of date)."""
    landing = tmp_path_factory.mktemp("hr-landing")
    write_drop(landing)
    quarters = (
        Q3_2026,
        dt.date(2026, 6, 30),
        dt.date(2026, 3, 31),
        dt.date(2025, 12, 31),
        dt.date(2024, 12, 31),
    )
    with fresh_database(pg_server) as dsn, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", dsn)
        patch.setenv("CULTURE_MIN_GROUP_SIZE", "1")
        run_night(landing, AS_OF)
        first = {quarter: scorecard(dsn, quarter) for quarter in quarters}
        deliver_late_files(landing)
        run_night(landing, AS_OF)
        second = {quarter: scorecard(dsn, quarter) for quarter in quarters}
        yield Nights(dsn, first, second)


def value(row: Row, column: str) -> float | None:
    found = row[column]
    return None if found is None else float(found)  # type: ignore[arg-type]


def assert_figures(rows: dict[str, Row], column: str, expected: dict[str, float | None]) -> None:
    got = {unit: value(rows[unit], column) for unit in expected}
    for unit, want in expected.items():
        if want is None:
            assert got[unit] is None, f"{column} of {unit}: {got}"
        else:
            assert got[unit] == pytest.approx(want, abs=1e-6), f"{column} of {unit}: {got}"


# Days employed in 2025-10-01..2026-09-30, per unit's own employees (night 2):
#   1000: E01 365
#   1100: E02–E04 3×365 = 1095; E08 until 2026-06-29: 272; E10 2025-10-01..11-30: 61 and
#         2026-05-01..09-30: 153  → 1581
#   1200: E05 365; E08 from 2026-06-30: 93; E09 to 2026-09-30: 365; E12 to 2026-01-31: 123 → 946
#   1210: E06, E07 2×365; E11 from 2026-02-01: 242 → 972, of which 420 before the tree moved 1210
#         under 1100 on 2026-03-31 (E06, E07 2×181 + E11 58) and 552 after (2×184 + 184)
# Subtrees (each day rolls up through the tree of that day):
HEADCOUNT_DAYS = {"1000": 365 + 1581 + 946 + 972, "1100": 1581 + 552, "1200": 946 + 420, "1210": 972}
# FTE-days: the same, with E11 at 0.5 (242 days → 121; 58 → 29 before the move, 184 → 92 after).
FTE_DAYS = {"1000": 365 + 1581 + 946 + 851, "1100": 1581 + 460, "1200": 946 + 391, "1210": 851}


def fte_years(unit: str) -> float:
    return FTE_DAYS[unit] / 365.25


def average_headcount(unit: str) -> float:
    return HEADCOUNT_DAYS[unit] / 365


def test_n_employees_follow_late_out_of_order_snapshot_rehire_and_corrected_hire_date(nights: Nights) -> None:
    # 2026-06-30, night 1: without the late snapshot E08 is still in 1100 → 1100 has E02–E04,
    # E08, E10 (rehired 05-01) and 1210's E06, E07, E11 = 8; 1200 has E05, E09 = 2.
    assert_figures(nights.first[dt.date(2026, 6, 30)], "n_employees", {"1100": 8, "1200": 2, "1000": 11})
    # Night 2: the late 2026-06-30 snapshot moves E08 to 1200 on its extract date.
    assert_figures(nights.second[dt.date(2026, 6, 30)], "n_employees", {"1100": 7, "1200": 3, "1000": 11})
    # 2025-12-31: E10 left on 11-30; E12's typo hire date 2025-06-01 was corrected to 2025-05-01,
    # one spell that ends 2026-01-31; 1210 is still under 1200: 1200 = E05, E09, E12, E06, E07.
    assert_figures(nights.second[dt.date(2025, 12, 31)], "n_employees", {"1100": 4, "1200": 5, "1210": 2})
    # 2026-03-31: E11 (first seen in that snapshot) counts in 1210, now under 1100; E12 is gone.
    assert_figures(nights.second[dt.date(2026, 3, 31)], "n_employees", {"1210": 3, "1100": 7, "1200": 2})
    # 2026-09-30: E09's termination date is the last day of employment, so E09 still counts:
    # 1200 = E05, E08, E09; 1000 = E01 + 1100's E02–E04, E10 + 1210's E06, E07, E11 + 1200's 3.
    assert_figures(nights.second[Q3_2026], "n_employees", {"1200": 3, "1000": 11})


def test_sick_days_per_fte_spread_absence_over_weekdays_and_units(nights: Nights) -> None:
    # Own-illness workdays in the window, by the unit of each day (night 2):
    #   a1 E02 Mon 2025-09-29..Fri 10-03, 5 days over 5 weekdays: 3 fall in the window    1100: 3
    #   a2 E03 a part day                                                                 1100: 0.5
    #   a3 E04 ongoing since Mon 2026-09-28, 2 days so far: ends on the as-of date
    #      (Thu 10-01), 4 weekdays, 3 in the window: 2 × 3/4                               1100: 1.5
    #   a4 E05 corrected to 3 days (newer last_modified); the late older record loses     1200: 3
    #   a5 E06 two records with the same last_modified: the later extract's 2 days win,
    #      in March while 1210 was under 1200                                             1200: 2
    #   a6 E07 retracted (deleted = ja)                                                         0
    #   a7 E09 Sat–Sun 2026-08-15..16, no weekday: 1 day in full on its start date       1200: 1
    #   a8 E02 2026-04-06..05-15, 30 days, 40 calendar days: long-term                   1100: 30
    #   a9 E08 Mon 06-29..Fri 07-03, 5 days; moved to 1200 on 06-30: 1 day in 1100, 4 in 1200
    #   a10 barns sygdom: not own illness                                                        0
    #   a11 E11 2026-06-01..02 in 1210, by then under 1100                                1100: 2
    # Subtrees: 1100 = 3 + 0.5 + 1.5 + 30 + 1 + 2 = 38; 1200 = 3 + 2 + 1 + 4 = 10;
    #           1210 = 2 + 2 = 4; 1000 = 38 + 10 = 48.
    sick_days = {"1000": 48, "1100": 38, "1200": 10, "1210": 4}
    assert_figures(
        nights.second[Q3_2026],
        "sick_days_per_fte_12m",
        {unit: days / fte_years(unit) for unit, days in sick_days.items()},
    )
    # Long-term spells (> 30 calendar days): only a8's 30 days, in 1100 and 1000.
    assert_figures(
        nights.second[Q3_2026],
        "long_term_sick_share_12m",
        {"1000": 100 * 30 / 48, "1100": 100 * 30 / 38, "1200": 0.0, "1210": 0.0},
    )
    assert not any(row["absence_suppressed"] for row in nights.second[Q3_2026].values())


def test_absence_monthly_splits_a_spell_at_month_ends_and_at_a_move(nights: Nights) -> None:
    # a9 (E08, Mon 06-29..Fri 07-03, 5 days over 5 weekdays) moved to 1200 on 06-30: June gives
    # 1200 one day (06-30) and July three (07-01..03); 1100 keeps 06-29 plus a11's 2 days in June.
    # a1 gives October 2025 three of its five days. 1100's own employees in October: E02–E04,
    # E08, E10 → 155 days, 5 on average.
    rows = query(
        nights.dsn,
        "select org_unit_code, month_start, sick_days, fte_years, avg_headcount, suppressed"
        " from marts.absence_monthly where (org_unit_code, month_start) in"
        " (('1200', '2026-06-01'), ('1200', '2026-07-01'), ('1100', '2026-06-01'), ('1100', '2025-10-01'))",
    )
    found = {(unit, month.isoformat()): rest for unit, month, *rest in rows}
    assert float(found[("1200", "2026-06-01")][0]) == pytest.approx(1)
    assert float(found[("1200", "2026-07-01")][0]) == pytest.approx(3)
    assert float(found[("1100", "2026-06-01")][0]) == pytest.approx(3)
    sick, fte, headcount, suppressed = found[("1100", "2025-10-01")]
    assert (float(sick), float(fte), float(headcount), suppressed) == pytest.approx(
        (3, 155 / 365.25, 5, False)
    )


def test_turnover_counts_terminations_in_the_window_over_average_headcount(nights: Nights) -> None:
    # In the window: E10 (afsked, 2025-11-30, 1100), E12 (udløb, 2026-01-31, 1200) and E09
    # (egen opsigelse on 2026-09-30, the window's last day, 1200). Average headcount = days ÷ 365.
    turnover = {"1000": 3, "1100": 1, "1200": 2, "1210": 0}
    assert_figures(
        nights.second[Q3_2026],
        "turnover_pct_12m",
        {unit: 100 * n / average_headcount(unit) for unit, n in turnover.items()},
    )
    voluntary = {"1000": 1, "1100": 0, "1200": 1, "1210": 0}
    assert_figures(
        nights.second[Q3_2026],
        "voluntary_turnover_pct_12m",
        {unit: 100 * n / average_headcount(unit) for unit, n in voluntary.items()},
    )


def test_mus_completion_counts_employees_hired_a_year_before_by_their_unit_at_period_end(
    nights: Nights,
) -> None:
    # Employed on 2026-09-30 and hired on or before 2025-09-30: E01 (1000), E02–E04 (1100), E05,
    # E08, E09 (1200), E06, E07 (1210, under 1100); E10 (rehired 2026-05-01) and E11 are too new.
    # MUS/LUS held in the window: E02, E03 (LUS), E06 (on the last day), E08 (held while in 1100,
    # counts where E08 is at period end). Not: E04 (GRUS), E05 (before the window), E07 (its
    # dialogue was corrected to 2025-09-01).
    assert_figures(
        nights.second[Q3_2026],
        "mus_completion_pct",
        {"1000": 100 * 4 / 9, "1100": 100 * 3 / 5, "1200": 100 * 1 / 3, "1210": 100 * 1 / 2},
    )


def test_competence_hours_per_fte_count_each_activity_in_the_unit_of_its_date(nights: Nights) -> None:
    # In the window: C1 E02 10 h (1100); C3 E05 corrected 4 → 6 h (1200); C4 E06 3 h on
    # 2026-01-20, when 1210 was under 1200; C5 E08 8 h on 2026-07-15, after the move to 1200.
    # C2 (2025-09-01) is before the window.
    hours = {"1000": 27, "1100": 10, "1200": 6 + 3 + 8, "1210": 3}
    assert_figures(
        nights.second[Q3_2026],
        "competence_hours_per_fte_12m",
        {unit: h / fte_years(unit) for unit, h in hours.items()},
    )
    # Night 1, before the late snapshot, E08 was in 1100 until 2026-09-29: C5's 8 hours counted
    # there, and so did E08's 364 days (1100's FTE-days: 1095 + 364 + 61 + 153 + 1210's 460).
    assert_figures(nights.first[Q3_2026], "competence_hours_per_fte_12m", {"1100": 18 / (2133 / 365.25)})


def test_internal_mobility_counts_distinct_employees_starting_a_move_in_the_window(nights: Nights) -> None:
    # E03 starts two lendings (counted once), E04's event was corrected from 2025-08-01 into the
    # window (2025-10-15), E05's borrowing starts on the last day; E06's move was before it.
    movers = {"1000": 3, "1100": 2, "1200": 1, "1210": 0}
    assert_figures(
        nights.second[Q3_2026],
        "internal_mobility_pct_12m",
        {unit: 100 * n / average_headcount(unit) for unit, n in movers.items()},
    )


def test_puls_meets_uses_the_latest_review_period_and_the_unit_on_the_review_date(nights: Nights) -> None:
    # Period 2025, reviewed 2026-01-20 (1210 then under 1200, E08 in 1100): ratings E02 3,
    # E03 2 corrected to 3, E04 2, E08 2 → 1100: 2 of 4 meet. 1210: E06 5, E07 3 → 2 of 2.
    # 1200: E05 1, E06 5, E07 3 and E09 4 (no review date: 2025-12-31, in 1200) → 3 of 4.
    # E02's 2024 review (rating 1) belongs to an older period.
    assert_figures(
        nights.second[Q3_2026],
        "puls_meets_pct",
        {"1000": 100 * 5 / 8, "1100": 50.0, "1200": 75.0, "1210": 100.0},
    )
    # At 2024-12-31 the latest period up to 2024 is 2024: only E02's review, rating 1.
    assert_figures(nights.second[dt.date(2024, 12, 31)], "puls_meets_pct", {"1100": 0.0, "1200": None})


def test_goal_attainment_uses_the_period_years_plan_and_its_latest_delivery(nights: Nights) -> None:
    # Night 1, goals_2026.csv: G1 ja, G2 nej (1100), G3 nej (1210, under 1100 at period end).
    assert_figures(nights.first[Q3_2026], "goal_attainment_pct", {"1000": 100 / 3, "1100": 100 / 3})
    # Night 2, Goals_2026.csv replaced the year: G1 ja, G2 delvist, G3 nej, G4 Ja (1200).
    assert_figures(
        nights.second[Q3_2026],
        "goal_attainment_pct",
        {"1000": 100 * 2.5 / 4, "1100": 100 * 1.5 / 3, "1210": 0.0, "1200": 100.0},
    )
    # 2025's quarters use the 2025 plan: G9 nej.
    assert_figures(nights.second[dt.date(2025, 12, 31)], "goal_attainment_pct", {"1100": 0.0, "1200": None})


# --- a second, smaller world: unknown FTE, the PULS period and the goals' tree ----------------
#
#   until 2025-06-30                 from 2025-07-01 (org snapshot of that day)
#   1000 ── 1100                     1000 ── 1100 ── 1210
#       ├── 1200 ── 1210                 ├── 1200
#       └── 1300                         └── 1300
#
#   E01 1000, E02 1100, E05 1200, E06 1300 at fte 1; in 1210 E03 with a blank fte and E04 at 0.5.

YEAR_ORG_BEFORE = ORG_BEFORE_MOVE + "1300;Kontor C;1000;I1;kontor\n"
YEAR_ORG_AFTER = YEAR_ORG_BEFORE.replace("1210;Team;1200", "1210;Team;1100")
YEAR_EMPLOYEES = EMPLOYEE_HEADER + (
    "E01;1000;2020-01-01;;;1\n"
    "E02;1100;2020-01-01;;;1\n"
    "E03;1210;2020-01-01;;;\n"
    "E04;1210;2020-01-01;;;0,5\n"
    "E05;1200;2020-01-01;;;1\n"
    "E06;1300;2020-01-01;;;1\n"
)
# Period 2025 (reviewed 2026-01-20): E02 3, E03 2, E05 4. Period 2024: only E06 (1300, no date).
# Period 2026 is still running on every 2026 quarter end, yet E02 already has a review for it.
YEAR_REVIEWS = """review_id;employee_number;period;rating;reviewed_on
R1;E02;2025;3;2026-01-20
R2;E03;2025;2;2026-01-20
R3;E05;2025;4;2026-01-20
R4;E06;2024;4;
R5;E02;2026;1;2026-06-15
"""
# The 2025 plan: G1 set for 1210 (under 1200 until the tree moved it on 2025-07-01), G2 for 1200.
YEAR_GOALS = GOALS_HEADER + (
    "G1;1210;2025;Mål 1;1;1;stk;ja;2025-12-15\nG2;1200;2025;Mål 2;1;0;stk;nej;2025-12-15\n"
)


@pytest.fixture(scope="module")
def year_world(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One night on the second world, k = 1; the DSN of its warehouse."""
    landing = tmp_path_factory.mktemp("year-landing")
    write(landing / "hr" / "org_units_20250101.csv", YEAR_ORG_BEFORE)
    write(landing / "hr" / "org_units_20250701.csv", YEAR_ORG_AFTER)
    write(landing / "hr" / "org_units_20260930.csv", YEAR_ORG_AFTER)
    write(landing / "hr" / "employees_20250101.csv", YEAR_EMPLOYEES)
    write(landing / "hr" / "employees_20260930.csv", YEAR_EMPLOYEES)
    write(landing / "hr" / "performance_20260930.csv", YEAR_REVIEWS)
    write(landing / "results" / "goals_2025.csv", YEAR_GOALS)
    with fresh_database(pg_server) as dsn, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", dsn)
        patch.setenv("CULTURE_MIN_GROUP_SIZE", "1")
        run_night(landing, AS_OF)
        yield dsn


def test_a_blank_fte_adds_no_fte_years_but_the_employee_still_counts_in_headcount(year_world: str) -> None:
    # 1210 in September 2026: E03 (fte unknown) and E04 (0.5), 30 days each. FTE-years count only
    # E04's known half; the average headcount is 2. Its parent 1100 adds E02's 30 days at fte 1.
    rows = query(
        year_world,
        "select org_unit_code, fte_years, avg_headcount from marts.absence_monthly"
        " where month_start = '2026-09-01' and org_unit_code in ('1100', '1210')",
    )
    found = {unit: (float(fte), float(headcount)) for unit, fte, headcount in rows}
    assert found == {
        "1210": pytest.approx((0.5 * 30 / 365.25, 2)),
        "1100": pytest.approx((1.5 * 30 / 365.25, 3)),
    }
    assert_figures(scorecard(year_world, Q3_2026), "n_employees", {"1210": 2, "1100": 3, "1000": 6})


def test_puls_uses_the_latest_review_year_ended_by_the_period_end_for_every_unit(year_world: str) -> None:
    # On 2026-09-30 the year 2026 has not ended: period 2025 is the latest that has, for every
    # unit. 1100 (E02 3, E03 2) 1 of 2; 1210 (E03) 0 of 1; 1200 (E05) 1 of 1; 1000 2 of 3; 1300
    # has no 2025 review: none, not its older 2024 figure.
    expected: dict[str, float | None] = {
        "1000": 200 / 3,
        "1100": 50.0,
        "1200": 100.0,
        "1210": 0.0,
        "1300": None,
    }
    assert_figures(scorecard(year_world, Q3_2026), "puls_meets_pct", expected)
    assert_figures(scorecard(year_world, dt.date(2026, 3, 31)), "puls_meets_pct", expected)
    # 2024-12-31 ends period 2024, the one shown then: only 1300's E06.
    assert_figures(
        scorecard(year_world, dt.date(2024, 12, 31)),
        "puls_meets_pct",
        {"1000": 100.0, "1300": 100.0, "1100": None, "1200": None},
    )


def test_goals_roll_up_on_the_tree_at_the_end_of_their_year_in_every_quarter(year_world: str) -> None:
    # 2025's tree at the year's end has 1210 under 1100: G1 (ja) counts there, G2 (nej) in 1200,
    # in the quarter before the move as in the quarters after it.
    for quarter in (dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 12, 31)):
        assert_figures(
            scorecard(year_world, quarter),
            "goal_attainment_pct",
            {"1000": 50.0, "1100": 100.0, "1210": 100.0, "1200": 0.0, "1300": None},
        )
