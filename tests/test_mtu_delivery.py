"""MTU rounds through the door: re-deliveries, duplicates, XLSX and CSV variants, catalogue gaps.

Two nights over one landing zone. Night 1 only pulls the files in; night 2 adds a corrected
responses file, re-sends a catalogue under a new name, and runs the whole night (dbt included).
Each scenario is a survey round of its own, so they share the two nights:

    MTU2026  CSV, corrected in night 2                 XL2026  responses as XLSX
    CP2026   Windows-1252 CSV with ; and 4,0           MQ2026  catalogue and responses disagree
    NC2026   responses without any catalogue
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import fresh_database
from culture_warehouse import pipeline
from nights import query, run_night

pytestmark = pytest.mark.slow  # the module's nights run through dbt

AS_OF = dt.date(2026, 10, 1)

ORG_UNITS = """org_unit_code;name;parent_code;institution_code;unit_type
1000;Styrelsen;;INST;institution
1110;Kontor A;1000;INST;kontor
1120;Kontor B;1000;INST;kontor
"""

EMPLOYEES = "employee_number;org_unit_code;hire_date\nE1;1110;2020-01-01\n"

QUESTIONS = """question_code,text_da,dimension,scale_min,scale_max,reverse_scored,dont_know_code
Q1,Jeg stoler på min leders udmeldinger,tillid,1,5,nej,9
Q2,Ledelsen stoler på os,tillid,1,5,nej,9
Q3,Vil du anbefale os som arbejdsplads?,enps,0,10,nej,
"""

RESPONSES = """respondent_id,org_unit_code,submitted_at,Q1,Q2,Q3
R1,1110,2026-05-04 10:00,4,4,9
R2,1110,2026-05-05 10:00,2,2,3
"""

# The vendor's correction: R2 belongs to 1120, answers changed, R3 was missing.
CORRECTED_RESPONSES = """respondent_id,org_unit_code,submitted_at,Q1,Q2,Q3
R1,1110,2026-05-04 10:00,5,5,10
R2,1120,2026-05-05 10:00,5,4,9
R3,1120,2026-05-06 10:00,4,4,8
"""

CP_QUESTIONS = (
    "question_code;text_da;dimension;scale_min;scale_max;reverse_scored;dont_know_code\r\n"
    "Q1;Jeg føler mig anerkendt på arbejdet;anerkendelse;1;5;Nej;9\r\n"
)

# Header case and spaces, a personal column that must be dropped, Danish dates, decimal comma,
# padded numbers, a 4,5 that is no answer on a 1-5 scale and a background value that is no yes/no.
CP_RESPONSES = (
    " Respondent_ID ;ORG_UNIT_CODE;Submitted_At;bg_job_family;bg_is_manager;email;q1\r\n"
    "C1;1110;04-05-2026 10:00;Økonomi;Ja;c1@example.dk;4,0\r\n"
    "C2;1110;05.05.2026;Økonomi;N;c2@example.dk; 4 \r\n"
    "C3;1120;2026-05-06T10:00:00+02:00;Løn;måske;c3@example.dk;4,5\r\n"
)

MQ_QUESTIONS = """question_code;text_da;dimension;scale_min;scale_max;reverse_scored;dont_know_code
Q1;Jeg stoler på min leders udmeldinger;tillid;1;5;nej;9
Q2;Ledelsen stoler på os;tillid;1;5;nej;9
Q3;Kollegerne holder det de lover;tillid;1;5;nej;9
"""

# Q9 is not in the catalogue, Q3 of the catalogue was not delivered.
MQ_RESPONSES = """respondent_id;org_unit_code;submitted_at;Q1;Q2;Q9
M1;1110;2026-05-04;4;4;2
M2;1110;2026-05-05;5;;2
"""

NOT_YES_NO = "not a yes/no value (expected ja/nej, yes/no, true/false, 1/0, J/N or Y/N)"

NC_RESPONSES = "respondent_id;org_unit_code;submitted_at;Q1\nN1;1110;2026-05-04;4\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def write_responses_workbook(path: Path) -> None:
    """Respondent ids and unit codes stored as numbers, answers as numbers and as padded text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["respondent_id", "org_unit_code", "submitted_at", "bg_is_manager", "Q1", "Q2", "Q3"])
    sheet.append([101.0, 1110.0, dt.datetime(2026, 5, 4, 10, 0), "ja", 4, 4.0, 10])
    sheet.append([102.0, 1120.0, dt.datetime(2026, 5, 5, 10, 0), "nej", 3.0, " 3 ", 9])
    workbook.save(path)


def write_first_delivery(landing: Path) -> None:
    write(landing / "hr" / "org_units_20260630.csv", ORG_UNITS)
    write(landing / "hr" / "employees_20260630.csv", EMPLOYEES)
    mtu = landing / "mtu"
    write(mtu / "MTU2026_questions.csv", QUESTIONS)
    write(mtu / "MTU2026_invitations.csv", "org_unit_code,invited\n1110,4\n1120,4\n")
    write(mtu / "MTU2026_responses.csv", RESPONSES)
    # The XLSX round reuses the MTU2026 catalogue byte for byte.
    write(mtu / "XL2026_questions.csv", QUESTIONS)
    write_responses_workbook(mtu / "XL2026_responses.xlsx")
    write(mtu / "CP2026_questions.csv", CP_QUESTIONS, "cp1252")
    write(mtu / "CP2026_responses.csv", CP_RESPONSES, "cp1252")
    write(mtu / "MQ2026_questions.csv", MQ_QUESTIONS)
    write(mtu / "MQ2026_responses.csv", MQ_RESPONSES)
    write(mtu / "NC2026_responses.csv", NC_RESPONSES)


@dataclass(frozen=True)
class Nights:
    dsn: str
    raw_rows_after_first: dict[str, int]


def raw_row_counts(dsn: str) -> dict[str, int]:
    tables = ("mtu_questions", "mtu_invitations", "mtu_respondents", "mtu_answers")
    return {table: int(query(dsn, f"select count(*) from raw.{table}")[0][0]) for table in tables}


@pytest.fixture(scope="module")
def nights(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nights]:
    landing = tmp_path_factory.mktemp("landing")
    with fresh_database(pg_server) as dsn, pytest.MonkeyPatch.context() as patch:
        patch.setenv("CULTURE_WAREHOUSE_DSN", dsn)
        patch.setenv("CULTURE_MIN_GROUP_SIZE", "1")
        write_first_delivery(landing)
        pipeline.start_night(AS_OF, "night-1", str(landing))
        for folder in ("hr", "mtu"):
            pipeline.ingest(folder, AS_OF, "night-1", str(landing))
        counts = raw_row_counts(dsn)
        write(landing / "mtu" / "MTU2026_responses.csv", CORRECTED_RESPONSES)
        write(landing / "mtu" / "resend" / "MTU2026_questions.csv", QUESTIONS)
        run_night(landing, AS_OF)
        yield Nights(dsn, counts)


def ledger(dsn: str, name: str) -> list[tuple[str, str, str | None]]:
    """(path, status, reason) of every ledger row of a file name, oldest first."""
    return [
        (str(path), str(status), reason)
        for path, status, reason in query(
            dsn,
            "select path, status, reason from audit.load_ledger where file_name = %s order by load_id",
            name,
        )
    ]


def tillid(dsn: str, survey: str) -> dict[str, tuple[int, float | None]]:
    rows = query(
        dsn,
        "select org_unit_code, n_respondents, score from marts.mtu_dimension_results"
        " where survey_id = %s and dimension = 'tillid'",
        survey,
    )
    return {unit: (int(n), None if score is None else float(score)) for unit, n, score in rows}


def test_a_corrected_redelivery_of_a_round_replaces_it_whole(nights: Nights) -> None:
    assert [status for _, status, _ in ledger(nights.dsn, "MTU2026_responses.csv")] == [
        "superseded",
        "loaded",
    ]
    # Only the corrected respondents count: R1 (100 + 100) / 2 in 1110; R2 (100 + 75) / 2 and
    # R3 (75 + 75) / 2 in 1120.
    assert tillid(nights.dsn, "MTU2026") == {
        "1000": (3, (100 + 87.5 + 75) / 3),
        "1110": (1, 100.0),
        "1120": (2, (87.5 + 75) / 2),
    }
    # The first delivery's rows stay in raw for the record, invisible to everything downstream.
    assert query(nights.dsn, "select count(*) from raw.mtu_respondents where survey_id = 'MTU2026'") == [(5,)]
    assert query(
        nights.dsn, "select count(*) from staging.stg_mtu__respondents where survey_id = 'MTU2026'"
    ) == [(3,)]


def test_the_same_file_delivered_twice_adds_nothing(nights: Nights) -> None:
    assert ledger(nights.dsn, "MTU2026_questions.csv") == [
        ("mtu/MTU2026_questions.csv", "loaded", None),
        (
            "mtu/resend/MTU2026_questions.csv",
            "duplicate",
            "same bytes as mtu/MTU2026_questions.csv, loaded once",
        ),
    ]
    # Unchanged files of night 1 were skipped in night 2: one ledger row each.
    assert ledger(nights.dsn, "MTU2026_invitations.csv") == [("mtu/MTU2026_invitations.csv", "loaded", None)]
    after = raw_row_counts(nights.dsn)
    assert after["mtu_questions"] == nights.raw_rows_after_first["mtu_questions"]
    assert after["mtu_invitations"] == nights.raw_rows_after_first["mtu_invitations"]
    assert after["mtu_respondents"] == nights.raw_rows_after_first["mtu_respondents"] + 3


def test_a_round_reusing_another_rounds_catalogue_byte_for_byte_still_has_it(nights: Nights) -> None:
    assert ledger(nights.dsn, "XL2026_questions.csv") == [
        ("mtu/XL2026_questions.csv", "duplicate", "same bytes as mtu/MTU2026_questions.csv, loaded once"),
    ]
    assert query(
        nights.dsn,
        "select question_code, dimension from staging.stg_mtu__questions where survey_id = 'XL2026'"
        " order by question_code",
    ) == [("Q1", "tillid"), ("Q2", "tillid"), ("Q3", "enps")]


def test_xlsx_responses_keep_unit_codes_and_ids_stored_as_numbers_as_text(nights: Nights) -> None:
    assert ledger(nights.dsn, "XL2026_responses.xlsx")[0][1] == "loaded"
    assert query(
        nights.dsn,
        "select respondent_id, org_unit_code, bg_is_manager from raw.mtu_respondents"
        " where survey_id = 'XL2026' order by respondent_id",
    ) == [("101", "1110", True), ("102", "1120", False)]
    answers = query(
        nights.dsn,
        "select respondent_id, question_code, value::int, is_dont_know from raw.mtu_answers"
        " where survey_id = 'XL2026' order by respondent_id, question_code",
    )
    # 9 on Q1/Q2 would be don't-know, but Q3 (eNPS, 0-10) has no don't-know code: 9 is an answer.
    assert answers == [
        ("101", "Q1", 4, False), ("101", "Q2", 4, False), ("101", "Q3", 10, False),
        ("102", "Q1", 3, False), ("102", "Q2", 3, False), ("102", "Q3", 9, False),
    ]  # fmt: skip
    assert tillid(nights.dsn, "XL2026") == {"1000": (2, 62.5), "1110": (1, 75.0), "1120": (1, 50.0)}


def test_a_windows_1252_semicolon_file_with_decimal_commas_reads_like_any_other(nights: Nights) -> None:
    assert query(
        nights.dsn,
        "select respondent_id, org_unit_code, bg_job_family, bg_is_manager,"
        " (submitted_at at time zone 'Europe/Copenhagen')::date::text from raw.mtu_respondents"
        " where survey_id = 'CP2026' order by respondent_id",
    ) == [
        ("C1", "1110", "Økonomi", True, "2026-05-04"),
        ("C2", "1110", "Økonomi", False, "2026-05-05"),
        ("C3", "1120", "Løn", None, "2026-05-06"),
    ]
    # '4,0' and ' 4 ' are 4; '4,5' and 'måske' are rejected on their own: C3 stays a respondent.
    assert query(
        nights.dsn,
        "select respondent_id, value::int from raw.mtu_answers where survey_id = 'CP2026' order by 1",
    ) == [("C1", 4), ("C2", 4)]
    assert query(
        nights.dsn,
        "select line_number, column_name, reason from audit.quarantine"
        " where file_name = 'CP2026_responses.csv' order by reason",
    ) == [
        (4, "Q1", "not a whole number (respondent C3)"),
        (4, "bg_is_manager", f"{NOT_YES_NO} (respondent C3)"),
    ]
    assert query(
        nights.dsn,
        "select text_da, is_reverse_scored from staging.stg_mtu__questions where survey_id = 'CP2026'",
    ) == [("Jeg føler mig anerkendt på arbejdet", False)]


def test_a_personal_column_in_the_responses_never_gets_in(nights: Nights) -> None:
    assert query(nights.dsn, "select column_name from audit.schema_drift where column_name = 'email'") == []
    assert (
        query(
            nights.dsn,
            "select table_schema, table_name from information_schema.columns where column_name = 'email'"
            " and table_schema in ('raw', 'staging', 'intermediate', 'marts')",
        )
        == []
    )


def test_catalogue_and_responses_that_disagree_are_reported_not_a_crash(nights: Nights) -> None:
    assert ledger(nights.dsn, "MQ2026_responses.csv") == [
        ("mtu/MQ2026_responses.csv", "loaded", "unknown columns not loaded: q9"),
    ]
    assert query(
        nights.dsn, "select source, entity, column_name from audit.schema_drift where column_name = 'q9'"
    ) == [("mtu", "responses", "q9")]
    assert query(
        nights.dsn,
        "select line_number, column_name, reason from audit.quarantine"
        " where file_name = 'MQ2026_responses.csv'",
    ) == [(None, "Q3", "question Q3 of the MQ2026 catalogue has no column in the responses")]
    # The half rule counts the tillid items delivered (Q1, Q2): M2 answered one of two, enough.
    # M1 (75 + 75) / 2 = 75, M2 100.
    assert tillid(nights.dsn, "MQ2026") == {"1000": (2, 87.5), "1110": (2, 87.5)}


def test_responses_before_any_catalogue_of_their_round_are_rejected_with_the_reason(nights: Nights) -> None:
    assert ledger(nights.dsn, "NC2026_responses.csv") == [
        (
            "mtu/NC2026_responses.csv",
            "rejected",
            "NC2026_responses.csv: no question catalogue NC2026_questions.csv loaded for survey NC2026",
        ),
    ]
    assert query(nights.dsn, "select count(*) from raw.mtu_respondents where survey_id = 'NC2026'") == [(0,)]


def test_each_responses_load_is_counted_once_per_question_for_its_suite_and_a_rejected_one_not_at_all(
    nights: Nights,
) -> None:
    summary = query(
        nights.dsn,
        "select _load_id, question_code, n_answer_rows, n_without_respondent, n_respondents"
        " from raw.mtu_answer_summary order by 1, 2",
    )
    counted = query(
        nights.dsn,
        """
        select a._load_id, a.question_code, count(*), count(*) - count(a.respondent_id),
            (select count(*) from raw.mtu_respondents as r where r._load_id = a._load_id)
        from raw.mtu_answers as a group by a._load_id, a.question_code order by 1, 2
        """,
    )
    assert summary and summary == counted
    summarised = {row[0] for row in summary}
    loads = query(
        nights.dsn,
        "select load_id, status from audit.load_ledger where entity = 'responses' and load_id is not null",
    )
    rejected = {load for load, status in loads if status == "rejected"}
    assert rejected and rejected.isdisjoint(summarised)
    suites = query(
        nights.dsn,
        "select count(*), bool_and(success) from audit.validation_results where suite = 'mtu_answers'",
    )
    assert suites[0][0] >= len(summarised) and suites[0][1]
