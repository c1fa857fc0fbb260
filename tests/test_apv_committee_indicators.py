"""APV and cooperation indicators worked out by hand on a small drop: one database and one dbt
build for the whole module, every scenario read from what was published.

The org tree (two snapshots; 1110 moves from 1100 to 1200 on 2026-07-01):

    until 2026-06-30             from 2026-07-01
    1000                         1000
    ├── 1100 Økonomikontoret     ├── 1100 Økonomikontoret
    │   ├── 1110 Arkivenheden    │   └── 1120 HR-kontoret
    │   └── 1120 HR-kontoret     └── 1200 IT-kontoret
    └── 1200 IT-kontoret             └── 1110 Arkivenheden

Quarters end 2025-12-31, 2026-03-31, 2026-06-30 and 2026-09-30 (as of 2026-10-01); each 12-month
window ends on its period end and starts the day after the same date a year before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import fresh_database
from culture_warehouse import pipeline
from nights import query, run_night

pytestmark = pytest.mark.slow  # the module's warehouse is built by whole nights through dbt

AS_OF = dt.date(2026, 10, 1)
Q4_2025, Q1, Q2, Q3 = "2025-12-31", "2026-03-31", "2026-06-30", "2026-09-30"

ORG_HEADER = "org_unit_code;name;parent_code;institution_code;unit_type\n"
ORG_BEFORE = ORG_HEADER + (
    "1000;Styrelsen;;INST;institution\n"
    "1100;Økonomikontoret;1000;INST;afdeling\n"
    "1110;Arkivenheden;1100;INST;kontor\n"
    "1120;HR-kontoret;1100;INST;kontor\n"
    "1200;IT-kontoret;1000;INST;afdeling\n"
)
ORG_AFTER = ORG_BEFORE.replace("1110;Arkivenheden;1100", "1110;Arkivenheden;1200")

# The register on 2026-03-31 (CSV, Danish dates, status and severity spelled every which way)
# and on 2026-09-30 (XLSX: dates as dates, numeric severities). In the later snapshot A1 is
# closed, A3 was reopened, A6 is new, and a row with an unknown status is held back.
APV_MARCH = (
    "finding_id;apv_round;org_unit_code;category;description;severity;identified_on;action;"
    "responsible_role;due_date;status;closed_on\n"
    "A1;APV2025;1110;Psykisk;Travlhed;Høj;01-06-2025;Planlægning;Leder;31-12-2025; Åben ;\n"
    "A2;APV2025;1110;ergonomisk;Stole;2;01-09-2025;Indkøb;leder;30-06-2026;i gang;\n"
    "A3;APV2025;1200;indeklima;Kulde;lav;01-10-2025;Isolering;AMR;31-01-2026;Lukket;15-01-2026\n"
    "A4;APV2023;1000;fysisk;Støj;1;01-02-2023;Dæmpning;leder;;afsluttet;01-05-2023\n"
    "A5;APV2023;1100;kemisk;Rengøringsmidler;3;10-01-2024;Udskiftning;leder;;åben;\n"
)
APV_SEPTEMBER = [
    ["A1", "APV2025", 1110, "psykisk", "Travlhed", "høj", dt.datetime(2025, 6, 1), "Planlægning",
     "leder", dt.datetime(2025, 12, 31), "LUKKET", dt.datetime(2026, 5, 1)],
    ["A2", "APV2025", 1110, "ergonomisk", "Stole", 2, dt.datetime(2025, 9, 1), "Indkøb", "leder",
     dt.datetime(2026, 6, 30), "igang", None],
    ["A3", "APV2025", 1200, "indeklima", "Kulde", "lav", dt.datetime(2025, 10, 1), "Isolering", "AMR",
     dt.datetime(2026, 1, 31), "åben", None],
    ["A4", "APV2023", 1000, "fysisk", "Støj", 1, dt.datetime(2023, 2, 1), "Dæmpning", "leder", None,
     "afsluttet", dt.datetime(2023, 5, 1)],
    ["A5", "APV2023", 1100, "kemisk", "Rengøringsmidler", 3, dt.datetime(2024, 1, 10), "Udskiftning",
     "leder", None, "Åben", None],
    ["A6", "APV2025", 1110, "ergonomisk", "Skærme", "middel", dt.datetime(2026, 4, 1), "Indkøb",
     "leder", dt.datetime(2026, 8, 1), "lukket", dt.datetime(2026, 6, 10)],
    ["A7", "APV2025", 1120, "andet", "Ukendt", "lav", dt.datetime(2026, 4, 1), "-", "leder", None,
     "parkeret", None],
]  # fmt: skip

HEADER = "Udvalg: {committee}\nEnhed: {unit}\nDato: {date}\nTil stede: {present}\nAfbud: {absent}\n"
PEOPLE = ["Anne (leder)", "Bo (TR)", "Carla (AMR)", "Dan (medarbejderrepræsentant)", "Eva (AMR)",
          "Finn (TR)"]  # fmt: skip


def minutes(committee: str, unit: str, date: str, present: int, absent: int, body: str) -> str:
    attendees = PEOPLE[: present + absent]
    header = HEADER.format(
        committee=committee,
        unit=unit,
        date=date,
        present=", ".join(attendees[:present]),
        absent=", ".join(attendees[present:]) or "ingen",
    )
    return header + body


MEETINGS = {
    # M1: two items, one with a culture topic (trivsel); actions H-1 and one without an id.
    "SU_1100_2025-11-10.md": minutes("SU", "1100", "10.11.2025", 4, 1, (
        "\nPunkt 1 Budget 2027\n"
        "Handling [H-1]: Budgetudkast sendes ud. Ansvarlig: leder. Frist: 31.01.2026\n"
        "Handling: Plan for oplæring udsendes. Ansvarlig: leder. Frist: 31.12.2026\n"
        "\nPunkt 2 Trivsel i hverdagen\nBeslutning: Emnet tages op igen.\n"
    )),
    # M2: H-1 is reported "i gang", which does not close it; action H-2 is agreed.
    "SU_1100_2026-02-15.txt": minutes("Samarbejdsudvalg", "1100", "2026-02-15", 5, 0, (
        "\nPunkt 1 Handlingsoversigt\nOpfølgning H-1: i gang\n"
        "\nPunkt 2 Nyt sagssystem\n"
        "Handling [H-2]: Oplæringsplan udsendes. Ansvarlig: leder. Frist: 30.04.2026\n"
    )),
    # M4: the AMU of the same unit reports H-2 "afsluttet": another committee's H-2 stays open.
    "AMU_1100_2026-04-10.md": minutes("AMU", "1100", "10. april 2026", 2, 2, (
        "\n## 1. APV-handlingsplan\nOpfølgning H-2: afsluttet\n"
    )),
    # M3: H-1 closed; the MTU round (ended 2026-03-20) is taken up 61 days after its end.
    "SU_1100_2026-05-20.md": minutes("SU", "1100", "20.05.2026", 3, 2, (
        "\n## 1. Handlingsoversigt\nOpfølgning H-1: afsluttet\n"
        "\n## 2. Resultater af MTU 2026\nBeslutning: Resultaterne drøftes i hvert team.\n"
    )),
    # M6 and M7: units that are not in the tree on the meeting date: never counted.
    "SU_9999_2026-06-01.md": minutes("SU", "9999", "01.06.2026", 4, 0, "\nPunkt 1 Trivsel\n"),
    "AMU_ukendt_2026-06-02.md": minutes("AMU", "Ukendt kontor", "02.06.2026", 4, 0, "\nPunkt 1 Trivsel\n"),
    # M8: the AMU of 1110 after 1110 moved under 1200; its own H-1 is due before Q3 ends. H-3 is
    # agreed and reported "afsluttet" in the same meeting: only a later meeting closes an action.
    "AMU_1110_2026-09-01.md": minutes("AMU", "1110", "01.09.2026", 3, 0, (
        "\nPunkt 1 Trivsel og indeklima\n"
        "Handling [H-1]: Plan for spidsbelastninger. Ansvarlig: leder. Frist: 15.09.2026\n"
        "Handling [H-3]: Nøglekort udleveres. Ansvarlig: leder. Frist: 31.12.2026\n"
        "Opfølgning H-3: afsluttet\n"
    )),
    # M9: held after the as-of date, so neither the meeting nor its follow-up of H-2 counts yet.
    "SU_1100_2026-10-15.md": minutes("SU", "1100", "15.10.2026", 5, 0, (
        "\nPunkt 1 Handlingsoversigt\nOpfølgning H-2: afsluttet\n"
    )),
}  # fmt: skip

# M5, the MED of 1200 on 2026-08-15, first with the unit's name only (lower case), then
# corrected the next night with its code and one more person absent: the correction counts.
MED_BODY = "\nPunkt 1 Kompetenceudvikling\n\nPunkt 2 Kontorets resultater i MTU 2026\n"
MED_FIRST = ("MED_it_2026-08-15.md", minutes("MED", "it-kontoret", "15.08.2026", 6, 0, MED_BODY))
MED_CORRECTED = ("MED_1200_2026-08-15_rettet.md", minutes("MED-udvalg", "1200", "15.08.2026", 5, 1, MED_BODY))

MTU_QUESTIONS = "question_code;text_da;dimension;scale_min;scale_max\nQ01;Jeg trives;trivsel;1;5\n"
MTU_INVITATIONS = "org_unit_code;invited\n1110;6\n"
MTU_RESPONSES = "respondent_id;org_unit_code;submitted_at;Q01\n" + "".join(
    f"R{number};1110;2026-03-{10 + 2 * number} 12:00;4\n" for number in range(6)
)  # the last submission is 2026-03-20 at noon: the round ended on 2026-03-20


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_drop(landing: Path) -> None:
    write(landing / "hr" / "org_units_20250101.csv", ORG_BEFORE)
    write(landing / "hr" / "org_units_20260701.csv", ORG_AFTER)
    employees = "employee_number;org_unit_code;hire_date\n" + "".join(
        f"E{n};{unit};2020-01-01\n" for n, unit in enumerate(["1110", "1120", "1200"] * 2)
    )
    # The same staff in every snapshot; the latest keeps the HR feed fresh for the night.
    write(landing / "hr" / "employees_20250101.csv", employees)
    write(landing / "hr" / "employees_20260930.csv", employees)
    write(landing / "apv" / "apv_20260331.csv", APV_MARCH)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(APV_MARCH.split("\n", 1)[0].split(";"))
    for row in APV_SEPTEMBER:
        sheet.append(row)
    workbook.save(landing / "apv" / "apv_20260930.xlsx")
    write(landing / "mtu" / "MTU2026_questions.csv", MTU_QUESTIONS)
    write(landing / "mtu" / "MTU2026_invitations.csv", MTU_INVITATIONS)
    write(landing / "mtu" / "MTU2026_responses.csv", MTU_RESPONSES)
    for name, text in [*MEETINGS.items(), MED_FIRST]:
        write(landing / "minutes" / name, text)


@pytest.fixture(scope="module")
def dsn(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The drop loaded over two nights (the MED correction arrives on the second), built once."""
    landing = tmp_path_factory.mktemp("landing")
    write_drop(landing)
    with fresh_database(pg_server) as database, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", database)
        pipeline.start_night(AS_OF, "night-1", str(landing))
        for folder in ("hr", "apv", "mtu", "minutes"):
            pipeline.ingest(folder, AS_OF, "night-1", str(landing))
        write(landing / "minutes" / MED_CORRECTED[0], MED_CORRECTED[1])
        run_night(landing, AS_OF)
        yield database


def scorecard(dsn: str, column: str, period_end: str) -> dict[str, object]:
    rows = query(
        dsn,
        f"select org_unit_code, {column} from marts.culture_scorecard where period_end = %s",
        period_end,
    )
    return {code: float(value) if isinstance(value, Decimal) else value for code, value in rows}


def by_unit(*values: object) -> dict[str, object]:
    """Expected figures of 1000, 1100, 1110, 1120 and 1200, in that order."""
    return dict(zip(("1000", "1100", "1110", "1120", "1200"), values, strict=True))


def rounded(values: dict[str, object]) -> dict[str, object]:
    return {code: round(value, 2) if isinstance(value, float) else value for code, value in values.items()}


# --- APV ------------------------------------------------------------------------------------


def test_apv_figures_are_unknown_before_the_first_snapshot(dsn: str) -> None:
    for column in ("apv_open_findings", "apv_overdue_actions", "apv_is_current"):
        assert set(scorecard(dsn, column, Q4_2025).values()) == {None}


def test_open_findings_count_every_status_spelling_that_is_not_closed(dsn: str) -> None:
    # March snapshot: A1 " Åben " and A2 "i gang" in 1110, A5 "åben" in 1100; A3 "Lukket" and
    # A4 "afsluttet" are closed. 1100 = 1110's 2 + its own 1; 1000 = all 3.
    assert scorecard(dsn, "apv_open_findings", Q1) == by_unit(3, 3, 2, 0, 0)


def test_overdue_findings_are_open_with_a_due_date_before_the_period_end(dsn: str) -> None:
    # 2026-03-31: A1 (due 2025-12-31) is overdue; A2 is due 2026-06-30; A5 has no due date.
    assert scorecard(dsn, "apv_overdue_actions", Q1) == by_unit(1, 1, 1, 0, 0)


def test_a_period_without_a_newer_snapshot_reads_the_latest_one_before_it(dsn: str) -> None:
    # 2026-06-30 still reads the March snapshot, where A1 is open (it closes only in the
    # September one). A2 is due on 2026-06-30 itself, which is not before the period end.
    assert scorecard(dsn, "apv_open_findings", Q2) == by_unit(3, 3, 2, 0, 0)
    assert scorecard(dsn, "apv_overdue_actions", Q2) == by_unit(1, 1, 1, 0, 0)


def test_a_reopened_finding_is_open_again_and_the_tree_at_period_end_places_open_findings(dsn: str) -> None:
    # September snapshot: open are A2 (1110, due 2026-06-30: overdue), A3 (1200, reopened, due
    # 2026-01-31: overdue) and A5 (1100, no due date). 1110 now sits under 1200, so 1200 has
    # A2 + A3 and 1100 only A5; the A7 row ("parkeret") was held back at the door.
    assert scorecard(dsn, "apv_open_findings", Q3) == by_unit(3, 1, 1, 0, 2)
    assert scorecard(dsn, "apv_overdue_actions", Q3) == by_unit(2, 0, 1, 0, 2)
    assert query(dsn, "select file_name, reason from audit.quarantine where source = 'apv'") == [
        ("apv_20260930.xlsx", "status is not åben, i gang or lukket (or afsluttet)")
    ]


def test_median_days_to_close_counts_findings_closed_in_12m_on_the_tree_of_their_closing_date(
    dsn: str,
) -> None:
    # 2026-03-31 (window from 2025-04-01): only A3, 2025-10-01 → 2026-01-15 = 106 days.
    assert scorecard(dsn, "apv_median_days_to_close_12m", Q1) == by_unit(106.0, None, None, None, 106.0)
    # 2026-09-30 (window from 2025-10-01): A1 2025-06-01 → 2026-05-01 = 334 days and A6
    # 2026-04-01 → 2026-06-10 = 70 days, median (334 + 70) / 2 = 202. Both closed while 1110
    # was under 1100, so they count there and not under 1200. A3 was closed in March but is
    # reopened in the September register: not closed. A4 closed in 2023.
    assert scorecard(dsn, "apv_median_days_to_close_12m", Q3) == by_unit(202.0, 202.0, 202.0, None, None)


def test_apv_is_current_when_the_unit_or_an_ancestor_had_a_finding_in_the_last_3_years(dsn: str) -> None:
    # 2026-03-31 looks back to 2023-03-31: A4 (2023-02-01, in 1000) is too old, so 1000 has no
    # current APV; 1100 has A5 (2024-01-10), which covers 1110 and 1120 below it; 1200 has A3.
    assert scorecard(dsn, "apv_is_current", Q1) == by_unit(False, True, True, True, True)


def test_the_findings_mart_keeps_each_snapshots_status_without_the_free_text(dsn: str) -> None:
    rows = query(
        dsn,
        "select finding_id, snapshot_date::text, status, severity, severity_level, previous_status,"
        " status_since::text, is_reopened, is_overdue from marts.apv_findings_status"
        " where finding_id in ('A1', 'A3') order by 1, 2",
    )
    assert rows == [
        ("A1", "2026-03-31", "åben", "høj", 3, None, "2026-03-31", False, True),
        ("A1", "2026-09-30", "lukket", "høj", 3, "åben", "2026-09-30", False, False),
        ("A3", "2026-03-31", "lukket", "lav", 1, None, "2026-03-31", False, False),
        ("A3", "2026-09-30", "åben", "lav", 1, "lukket", "2026-09-30", True, True),
    ]
    columns = query(
        dsn,
        "select column_name from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'apv_findings_status'",
    )
    assert not {"description", "action"} & {column for (column,) in columns}


# --- committees -----------------------------------------------------------------------------


def test_meetings_in_12m_count_the_subtrees_committees_as_the_tree_stood_on_the_meeting_date(
    dsn: str,
) -> None:
    # 2026-09-30: 1100 held M1, M2, M3 (SU) and M4 (AMU). 1200 held M5 (MED) and, since 1110
    # moved under it, M8 (AMU of 1110). M6, M7 (units not in the tree) and M9 (after the
    # as-of date) are not counted; M5 counts once although two documents reported it.
    assert scorecard(dsn, "committee_meetings_12m", Q3) == by_unit(6, 4, 1, 0, 2)
    assert scorecard(dsn, "committee_meetings_su_12m", Q3) == by_unit(3, 3, 0, 0, 0)
    assert scorecard(dsn, "committee_meetings_med_12m", Q3) == by_unit(1, 0, 0, 0, 1)
    assert scorecard(dsn, "committee_meetings_amu_12m", Q3) == by_unit(2, 1, 1, 0, 1)
    # 2025-12-31 (window from 2025-01-01): only M1.
    assert scorecard(dsn, "committee_meetings_12m", Q4_2025) == by_unit(1, 1, 0, 0, 0)


def test_attendance_is_all_present_over_all_present_and_absent(dsn: str) -> None:
    # 1100: present 4 + 5 + 3 + 2 = 14, absent 1 + 0 + 2 + 2 = 5 → 14 / 19 = 73.68 %.
    # 1200: M5 as corrected (5 present, 1 absent) and M8 (3, 0) → 8 / 9 = 88.89 %.
    # 1000: 22 / 28 = 78.57 %. No meetings, no attendance: 1120 is null.
    attendance = rounded(scorecard(dsn, "committee_attendance_pct_12m", Q3))
    assert attendance == by_unit(78.57, 73.68, 100.0, None, 88.89)


def test_culture_agenda_share_is_items_with_a_culture_topic_over_all_items(dsn: str) -> None:
    # 1100: M1 budget (oekonomi: not culture) and trivsel; M2 handlingsoversigt and sagssystem (none);
    # M3 handlingsoversigt (none) and MTU; M4 APV → 3 of 7 = 42.86 %. 1200: kompetenceudvikling and MTU
    # (M5), trivsel and indeklima (M8) → 3 of 3. 1000: 6 of 10.
    share = rounded(scorecard(dsn, "culture_agenda_share_12m", Q3))
    assert share == by_unit(60.0, 42.86, 100.0, None, 100.0)


def test_an_action_closes_only_on_an_afsluttet_follow_up_of_the_same_committee_by_period_end(
    dsn: str,
) -> None:
    # 1100's SU: H-1 (due 2026-01-31) and an action without an id (due 2026-12-31) from M1;
    # H-2 (due 2026-04-30) from M2.
    # 2025-12-31: H-1 and the id-less action open, neither overdue.
    assert scorecard(dsn, "open_committee_actions", Q4_2025)["1100"] == 2
    assert scorecard(dsn, "overdue_committee_actions", Q4_2025)["1100"] == 0
    # 2026-03-31: H-1 was only "i gang" in M2: open and overdue; H-2 open.
    assert scorecard(dsn, "open_committee_actions", Q1)["1100"] == 3
    assert scorecard(dsn, "overdue_committee_actions", Q1)["1100"] == 1
    # 2026-06-30: M3 closed H-1. H-2 stays open although the AMU (M4) reported an H-2
    # "afsluttet": that is another committee's action. H-2 is overdue.
    assert scorecard(dsn, "open_committee_actions", Q2)["1100"] == 2
    assert scorecard(dsn, "overdue_committee_actions", Q2)["1100"] == 1


def test_open_actions_roll_up_as_the_tree_stood_at_period_end(dsn: str) -> None:
    # 2026-09-30: 1100's id-less action and H-2 (overdue; M9 closes it only after the as-of
    # date), plus the AMU of 1110's own H-1 (due 2026-09-15, overdue) and H-3 (due 2026-12-31);
    # 1110 is under 1200 now.
    assert scorecard(dsn, "open_committee_actions", Q3) == by_unit(4, 2, 2, 0, 2)
    assert scorecard(dsn, "overdue_committee_actions", Q3) == by_unit(2, 1, 1, 0, 1)


def test_an_afsluttet_follow_up_in_the_meeting_that_agreed_the_action_does_not_close_it(dsn: str) -> None:
    # M8 agrees H-3 and reports it "afsluttet" in the same meeting; no later AMU of 1110 follows.
    rows = query(
        dsn,
        "select action_id, closed_on from intermediate.int_committee_actions"
        " where org_unit_code = '1110' and committee_type = 'AMU' order by action_id",
    )
    assert rows == [("H-1", None), ("H-3", None)]
    assert scorecard(dsn, "open_committee_actions", Q3)["1110"] == 2


def test_mtu_is_followed_up_by_an_su_or_med_mtu_item_within_120_days_after_the_round_ended(
    dsn: str,
) -> None:
    # MTU2026 ended 2026-03-20, so the window runs to 2026-07-18. M3 (SU of 1100, 2026-05-20)
    # took it up: 1100 and 1000. M5 (MED of 1200, 2026-08-15) did so too late.
    followed = by_unit(True, True, False, False, False)
    assert scorecard(dsn, "mtu_followed_up", Q2) == followed
    assert scorecard(dsn, "mtu_followed_up", Q3) == followed
    # 2026-03-31: the round had ended but no meeting had taken it up yet; 2025-12-31: no round.
    assert set(scorecard(dsn, "mtu_followed_up", Q1).values()) == {False}
    assert set(scorecard(dsn, "mtu_followed_up", Q4_2025).values()) == {False}


def test_meetings_of_units_not_in_the_tree_that_day_are_kept_aside_unplaced(dsn: str) -> None:
    rows = query(
        dsn,
        "select committee_type, delivered_org_unit_code, delivered_org_unit_name, meeting_date::text"
        " from intermediate.int_committee_meetings where org_unit_code is null order by meeting_date",
    )
    assert rows == [("SU", "9999", None, "2026-06-01"), ("AMU", None, "Ukendt kontor", "2026-06-02")]


def test_committee_activity_counts_meetings_people_and_items_per_unit_type_and_month(dsn: str) -> None:
    rows = query(
        dsn,
        "select org_unit_code, committee_type, month_start::text, meetings, present, absent,"
        " round(attendance_pct, 2)::float, agenda_items, culture_topic_items"
        " from marts.committee_activity where org_unit_code in ('1100', '1200') order by 1, 3, 2",
    )
    assert rows == [
        ("1100", "SU", "2025-11-01", 1, 4, 1, 80.0, 2, 1),
        ("1100", "SU", "2026-02-01", 1, 5, 0, 100.0, 2, 0),
        ("1100", "AMU", "2026-04-01", 1, 2, 2, 50.0, 1, 1),
        ("1100", "SU", "2026-05-01", 1, 3, 2, 60.0, 2, 1),
        ("1200", "MED", "2026-08-01", 1, 5, 1, 83.33, 2, 2),
        ("1200", "AMU", "2026-09-01", 1, 3, 0, 100.0, 1, 1),
    ]
