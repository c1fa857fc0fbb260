"""The readers refuse hostile files early and in bounded memory, and an error is described by its
type and position only; numbers accept ASCII digits only."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from culture_warehouse import safe_errors
from culture_warehouse.load import LoadOutcome, normalised_rows
from culture_warehouse.readers.documents import DocumentError, extract_text
from culture_warehouse.readers.tabular import FileRejected, open_table
from culture_warehouse.readers.values import parse_date, parse_decimal, parse_integer, parse_text
from culture_warehouse.sources.hr.contract import PERFORMANCE
from hostile import (
    BOMB_BYTES,
    PLANTED,
    write_arabic_indic_digits,
    write_docx_bomb,
    write_long_line,
    write_million_row_xlsx,
    write_name_in_error_xlsx,
    write_nul_byte,
)

BOUNDED = 16 << 20


def peak_memory(action: Callable[[], object]) -> int:
    """Peak bytes Python allocated while ``action`` ran."""
    tracemalloc.start()
    try:
        action()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def read_all(path: Path, name: str) -> None:
    stream = open_table(path, name, xlsx_allowed=True)
    for _ in stream.batches:
        pass


def test_a_30_mb_line_without_a_newline_is_rejected_in_bounded_memory(tmp_path: Path) -> None:
    path = write_long_line(tmp_path / "mobility_20260630.csv")

    def read() -> None:
        with pytest.raises(FileRejected, match=r"^line 2 is longer than the limit of 1000000 bytes$"):
            read_all(path, path.name)

    assert peak_memory(read) < BOUNDED


def test_a_nul_byte_rejects_the_text_file_naming_its_line(tmp_path: Path) -> None:
    path = write_nul_byte(tmp_path / "competence_20260630.csv")
    with pytest.raises(FileRejected, match=r"^a NUL byte at line 3 "):
        read_all(path, path.name)
    with pytest.raises(DocumentError, match=r"^a NUL byte at line 3 "):
        extract_text("referat.md", path.read_bytes())


def test_an_xlsx_declaring_a_million_rows_is_rejected_before_openpyxl_expands_it(tmp_path: Path) -> None:
    path = write_million_row_xlsx(tmp_path / "apv_20260630.xlsx")

    def read() -> None:
        with pytest.raises(FileRejected, match="declares 1000000 rows, more than the limit of 500000"):
            read_all(path, path.name)

    assert peak_memory(read) < BOUNDED


def test_an_xlsx_whose_shared_strings_openpyxl_would_hold_whole_is_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_name_in_error_xlsx(tmp_path / "goals_2025.xlsx")
    monkeypatch.setenv("CULTURE_LIMIT_XLSX_MAX_LOADED_PART_BYTES", "100")
    read_whole = r"a part read whole \(shared strings, styles\) expands to \d+ bytes"
    with pytest.raises(FileRejected, match=read_whole):
        read_all(path, path.name)


@pytest.mark.parametrize(
    ("expanded", "reason"),
    [
        (BOMB_BYTES, r"^\.docx expands to more than 209715200 bytes \(a zip bomb\?\): not expanded$"),
        (20 << 20, r"^\.docx a part expands \d{3,} times, more than the limit of 100 \(a zip bomb\?\)"),
    ],
)
def test_a_docx_zip_bomb_is_rejected_before_it_is_expanded(
    tmp_path: Path, expanded: int, reason: str
) -> None:
    data = write_docx_bomb(tmp_path / "referat.docx", expanded).read_bytes()
    assert len(data) < 1 << 20

    def read() -> None:
        with pytest.raises(DocumentError, match=reason):
            extract_text("referat.docx", data)

    assert peak_memory(read) < BOUNDED


def test_an_openpyxl_error_quoting_a_name_is_described_by_its_type_only(tmp_path: Path) -> None:
    path = write_name_in_error_xlsx(tmp_path / "goals_2025.xlsx")
    workbook = load_workbook(path, read_only=True, data_only=True)
    with pytest.raises(ValueError, match=PLANTED) as raised:
        list(workbook.worksheets[0].iter_rows(values_only=True))
    assert safe_errors.describe(raised.value) == "ValueError"
    assert not safe_errors.is_infrastructure(raised.value)


def test_a_copy_error_quoting_a_value_is_described_by_sqlstate_row_and_column(warehouse_dsn: str) -> None:
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute("create table held (id integer, rating integer)")
        with pytest.raises(psycopg.DataError) as raised, conn.cursor().copy("copy held from stdin") as copy:
            copy.write(f"1\t2\n2\t{PLANTED}\n")
    assert PLANTED in str(raised.value.diag.context) + str(raised.value)
    assert safe_errors.describe(raised.value) == (
        "InvalidTextRepresentation (SQLSTATE 22P02) at row 2 of the load, column rating"
    )


def test_a_lost_connection_is_infrastructure_and_not_the_files_fault() -> None:
    assert safe_errors.is_infrastructure(psycopg.OperationalError("server closed the connection"))
    assert safe_errors.is_infrastructure(OSError(28, "No space left on device"))
    assert not safe_errors.is_infrastructure(KeyError(PLANTED))
    assert safe_errors.describe(KeyError(PLANTED)) == "KeyError"


@pytest.mark.parametrize("text", ["٤", "٤٫٥", "４", "४", "1_000", "nan", "inf"])
def test_numbers_accept_ascii_digits_only(text: str) -> None:
    with pytest.raises(ValueError, match=r"^not a number"):
        parse_decimal(text)
    with pytest.raises(ValueError, match=r"^not a number"):
        parse_integer(text)


def test_dates_accept_ascii_digits_only_and_whole_numbers_must_fit_an_integer() -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_date("٢٠٢٦-٠٦-٣٠")
    with pytest.raises(ValueError, match="out of range"):
        parse_integer("99999999999")
    assert parse_integer("4,0") == "4"
    assert parse_decimal("1.234,5") == "1234.5"
    assert parse_decimal("1e-05") == "1e-05"


def test_a_nul_character_in_a_text_cell_is_a_row_error() -> None:
    with pytest.raises(ValueError, match="NUL"):
        parse_text(f"{PLANTED}\x00")


def test_arabic_indic_digits_quarantine_the_row_with_line_and_column_and_the_rest_loads(
    tmp_path: Path,
) -> None:
    path = write_arabic_indic_digits(tmp_path / "performance_20260630.csv")
    outcome = LoadOutcome()
    rows = list(normalised_rows(PERFORMANCE, open_table(path, path.name, False), lambda e: f"p-{e}", outcome))
    assert [line for line, _ in rows] == [2, 4]
    assert [(q.line_number, q.column_name, q.reason) for q in outcome.quarantined] == [
        (3, "rating", "not a number (digits other than 0-9)")
    ]
