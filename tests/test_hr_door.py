"""The HR org tree and employee files through the door: every landing.md format variant,
rejections with reasons, duplicates, and personal data that never gets in."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import psycopg
import pytest
from openpyxl import Workbook

from culture_warehouse import pipeline
from nights import query

AS_OF = dt.date(2026, 10, 1)
CPR_A, CPR_B = "230971-4116", "0101901235"  # the second fails modulus 11 and is still a CPR number
ORG_HEADER = "org_unit_code;name;parent_code;institution_code;unit_type"
ORG_ROWS = ["1000;Styrelsen;;INST;institution", "1100;Kontor A;1000;INST;kontor"]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def ingest_hr(landing: Path, run: str = "r1") -> dict[str, object]:
    pipeline.start_night(AS_OF, run, str(landing))
    return pipeline.ingest("hr", AS_OF, run, str(landing))


def ledger(dsn: str) -> dict[str, tuple[str, str | None]]:
    return {
        name: (status, reason)
        for name, status, reason in query(
            dsn, "select file_name, status, reason from audit.load_ledger order by load_id"
        )
    }


def employees(dsn: str) -> list[tuple[object, ...]]:
    return query(
        dsn,
        "select org_unit_code, hire_date, termination_date, fte, is_manager, gender"
        " from raw.hr_employees order by org_unit_code, hire_date",
    )


VARIANTS = {
    "utf8_semicolon_danish_dates_decimal_comma": (
        "\ufeffEmployee_Number;CPR;First_Name;Last_Name;org_unit_code;hire_date;termination_date;FTE;is_manager;gender\n"
        f"E1;{CPR_A};Bjørn;Ærøskov;1100;01-02-2020;;0,8;ja;M\n"
        f"E2;{CPR_B};Ålaug;Ølgaard;1100;15.03.2021;31.12.2025;1,0;nej;K\n",
        "utf-8",
    ),
    "cp1252_comma_iso_dates_booleans_yes_no": (
        "employee_number,cpr,first_name,last_name,org_unit_code,hire_date,termination_date,fte,is_manager,gender\n"
        f"E1,{CPR_A},Bjørn,Ærøskov,1100,2020-02-01,,0.8,yes,M\n"
        f"E2,{CPR_B},Ålaug,Ølgaard,1100,2021-03-15,2025-12-31,1.0,N,K\n",
        "cp1252",
    ),
    "header_case_spaces_reordered_columns_and_quoted_newline": (
        " Hire_Date ; ORG_UNIT_CODE ;Employee_Number; job_title ;FTE;Is_Manager;gender;termination_date\n"
        '01-02-2020;1100;E1;"Fuldmægtig\nmed særlige opgaver";0,8;1;M;\n'
        "15-03-2021;1100;E2;Kontorfuldmægtig;1;0;K;31-12-2025\n",
        "utf-8",
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_csv_dialect_of_the_employee_export_loads_the_same_rows(
    warehouse_dsn: str, tmp_path: Path, variant: str
) -> None:
    text, encoding = VARIANTS[variant]
    write(tmp_path / "hr" / "org_units_20260630.csv", "\n".join([ORG_HEADER, *ORG_ROWS]) + "\n")
    write(tmp_path / "hr" / "employees_20260630.csv", text, encoding)
    ingest_hr(tmp_path)
    assert {status for status, _ in ledger(warehouse_dsn).values()} == {"loaded"}
    rows = employees(warehouse_dsn)
    assert [(r[0], str(r[1]), str(r[2]) if r[2] else None, float(r[3]), r[4], r[5]) for r in rows] == [
        ("1100", "2020-02-01", None, 0.8, True, "M"),
        ("1100", "2021-03-15", "2025-12-31", 1.0, False, "K"),
    ]


def test_an_xlsx_employee_export_is_not_allowed_but_an_apv_workbook_with_numeric_codes_is(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["finding_id", "apv_round", "org_unit_code", "category", "identified_on", "status"])
    sheet.append(["F1", "APV2025", 1100, "psykisk", dt.datetime(2025, 5, 1), "åben"])
    (tmp_path / "apv").mkdir()
    workbook.save(tmp_path / "apv" / "apv_20260630.xlsx")
    write(tmp_path / "hr" / "employees_20260630.xlsx", "not really a workbook")
    pipeline.start_night(AS_OF, "r1", str(tmp_path))
    pipeline.ingest("apv", AS_OF, "r1", str(tmp_path))
    assert query(warehouse_dsn, "select org_unit_code, identified_on::text from raw.apv_findings") == [
        ("1100", "2025-05-01")
    ]
    assert ledger(warehouse_dsn)["employees_20260630.xlsx"] == ("rejected", "unrecognised file")


def test_a_file_missing_a_required_column_is_rejected_naming_the_column_and_the_rest_loads(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write(tmp_path / "hr" / "org_units_20260630.csv", "\n".join([ORG_HEADER, *ORG_ROWS]) + "\n")
    write(
        tmp_path / "hr" / "employees_20260630.csv",
        "employee_number;org_unit_code;fte\nE1;1100;1\n",
    )
    ingest_hr(tmp_path)
    status = ledger(warehouse_dsn)
    assert status["org_units_20260630.csv"][0] == "loaded"
    assert status["employees_20260630.csv"][0] == "rejected"
    assert "employees_20260630.csv" in str(status["employees_20260630.csv"][1])
    assert "missing required column 'hire_date'" in str(status["employees_20260630.csv"][1])


def test_bad_rows_are_quarantined_with_line_and_column_and_the_good_rows_load(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write(
        tmp_path / "hr" / "employees_20260630.csv",
        "employee_number;org_unit_code;hire_date;termination_date;fte\n"
        "E1;1100;2020-01-01;;1\n"
        "E2;1100;31-02-2020;;1\n"
        "E3;1100;2020-01-01;2019-01-01;1\n"
        "E4;;2020-01-01;;1\n"
        "E5;1100;2020-01-01;;1\n"
        "E6;1100;2020-01-01;;1\n",
    )
    ingest_hr(tmp_path)
    assert ledger(warehouse_dsn)["employees_20260630.csv"][0] == "loaded"
    assert query(warehouse_dsn, "select count(*) from raw.hr_employees") == [(3,)]
    assert query(
        warehouse_dsn,
        "select line_number, column_name, reason from audit.quarantine order by line_number",
    ) == [
        (3, "hire_date", "not a date (expected YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY)"),
        (4, "termination_date", "termination_date is before hire_date"),
        (5, "org_unit_code", "required value is empty"),
    ]
    assert query(
        warehouse_dsn,
        "select rows_read, rows_loaded, rows_quarantined from audit.load_ledger",
    ) == [(6, 3, 3)]


def test_a_broken_csv_is_rejected_with_the_line_and_nothing_of_it_is_visible(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write(
        tmp_path / "hr" / "employees_20260630.csv",
        'employee_number;org_unit_code;hire_date\nE1;1100;2020-01-01\nE2;"1100;2020-01-01\n',
    )
    ingest_hr(tmp_path)
    status, reason = ledger(warehouse_dsn)["employees_20260630.csv"]
    assert status == "rejected"
    assert "line 3" in str(reason)
    assert query(warehouse_dsn, "select count(*) from raw.hr_employees") == [(0,)]


def test_a_byte_identical_redelivery_is_a_duplicate_and_adds_no_rows(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    original = write(tmp_path / "hr" / "org_units_20260630.csv", "\n".join([ORG_HEADER, *ORG_ROWS]) + "\n")
    ingest_hr(tmp_path, "r1")
    shutil.copy(original, tmp_path / "hr" / "org_units_20260701.csv")
    ingest_hr(tmp_path, "r2")
    ingest_hr(tmp_path, "r3")
    assert ledger(warehouse_dsn) == {
        "org_units_20260630.csv": ("loaded", None),
        "org_units_20260701.csv": (
            "duplicate",
            "same bytes as hr/org_units_20260630.csv, loaded once",
        ),
    }
    assert query(warehouse_dsn, "select count(*) from raw.hr_org_units") == [(2,)]


def test_corrected_content_under_the_same_name_supersedes_the_earlier_file(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    path = write(tmp_path / "hr" / "org_units_20260630.csv", "\n".join([ORG_HEADER, *ORG_ROWS]) + "\n")
    ingest_hr(tmp_path, "r1")
    write(path, "\n".join([ORG_HEADER, ORG_ROWS[0], "1100;Kontor A (rettet);1000;INST;kontor"]) + "\n")
    ingest_hr(tmp_path, "r2")
    assert query(warehouse_dsn, "select status, run_id from audit.load_ledger order by load_id") == [
        ("superseded", "r1"),
        ("loaded", "r2"),
    ]


def test_files_after_the_as_of_date_are_left_for_a_later_night(warehouse_dsn: str, tmp_path: Path) -> None:
    write(tmp_path / "hr" / "org_units_20261231.csv", "\n".join([ORG_HEADER, *ORG_ROWS]) + "\n")
    summary = ingest_hr(tmp_path)
    assert summary["left_for_later"] == 1
    assert query(warehouse_dsn, "select count(*) from audit.load_ledger") == [(0,)]


def test_no_cpr_number_or_name_from_the_hr_export_reaches_any_table(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    text, encoding = VARIANTS["utf8_semicolon_danish_dates_decimal_comma"]
    write(tmp_path / "hr" / "employees_20260630.csv", text, encoding)
    write(tmp_path / "hr" / "org_units_20260630.csv", "\n".join([ORG_HEADER, *ORG_ROWS]) + "\n")
    ingest_hr(tmp_path)
    secrets = [CPR_A, CPR_B, CPR_A.replace("-", ""), "Bjørn", "Ærøskov", "Ålaug", "Ølgaard", "E1", "E2"]
    assert database_text_containing(warehouse_dsn, secrets) == []


def database_text_containing(dsn: str, needles: list[str]) -> list[str]:
    """Every (schema.table.column) in the database whose text contains one of the needles."""
    hits: list[str] = []
    with psycopg.connect(dsn) as conn:
        columns = conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_schema not in ('pg_catalog', 'information_schema')"
        ).fetchall()
        for schema, table, column in columns:
            for needle in needles:
                found = conn.execute(
                    f'select 1 from "{schema}"."{table}" where "{column}"::text ~ %s limit 1',
                    (f"(^|[^0-9A-Za-z]){needle}($|[^0-9A-Za-z])",),
                ).fetchone()
                if found:
                    hits.append(f"{schema}.{table}.{column} contains {needle!r}")
    return hits
