"""Read a delivered table, CSV in any landing.md dialect or XLSX, as a stream of text rows.

The reader knows nothing about a source's columns: it yields the normalised header and then
``(line_number, cells)`` one row at a time, so a file of any size is read in constant memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

XLSX_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 20


class FileRejected(ValueError):
    """The whole file cannot be used; the message says why in words an operator understands."""


@dataclass(frozen=True)
class TableStream:
    header: tuple[str, ...]
    rows: Iterator[tuple[int, list[str | None]]]
    dialect: str


def normalise_header(name: object) -> str:
    """Case and surrounding spaces do not matter; inner spaces become underscores."""
    text = "" if name is None else str(name)
    return "_".join(text.replace("\ufeff", "").strip().lower().split())


def open_table(path: Path, file_name: str, xlsx_allowed: bool) -> TableStream:
    """Open a delivered table; raises FileRejected when it is not a readable table."""
    with path.open("rb") as handle:
        head = handle.read(4)
    is_workbook = head == XLSX_MAGIC
    if file_name.lower().endswith(".xlsx"):
        if not is_workbook:
            raise FileRejected("not an XLSX workbook (the file is not a zip container)")
        return _open_xlsx(path)
    if is_workbook:
        raise FileRejected("an XLSX workbook under a .csv name (only CSV is allowed here)")
    return _open_csv(path)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else Windows-1252."""
    with path.open("rb") as handle:
        start = handle.read(_CHUNK)
        if start.startswith(codecs.BOM_UTF16_LE) or start.startswith(codecs.BOM_UTF16_BE):
            raise FileRejected("UTF-16 text: expected UTF-8 or Windows-1252")
        encoding = "utf-8-sig" if start.startswith(codecs.BOM_UTF8) else "utf-8"
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = start
        try:
            while chunk:
                if b"\x00" in chunk:
                    raise FileRejected("binary content (NUL bytes): expected UTF-8 or Windows-1252 text")
                decoder.decode(chunk)
                chunk = handle.read(_CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1252"
    if encoding == "cp1252":
        _check_cp1252(path)
    return encoding


def _check_cp1252(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("cp1252")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            raise FileRejected("wrong encoding: neither UTF-8 nor Windows-1252 text") from None


def sniff_delimiter(first_line: str) -> str:
    """The delimiter is whichever of ``;`` ``,`` or tab occurs most often in the header line."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _open_csv(path: Path) -> TableStream:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        first_line = handle.readline()
    if not first_line.strip():
        raise FileRejected("empty file: no header line")
    delimiter = sniff_delimiter(first_line)
    handle = path.open(encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    header = tuple(normalise_header(name) for name in next(reader))

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        previous_line = reader.line_num
        try:
            for record in reader:
                start_line = previous_line + 1
                previous_line = reader.line_num
                if not any(record) or (not record[0].strip() and all(not c.strip() for c in record)):
                    continue
                yield start_line, list(record)
        except csv.Error:
            raise FileRejected(
                f"broken CSV at line {previous_line + 1}: unbalanced quotes or a truncated file"
            ) from None
        finally:
            handle.close()

    label = f"csv {encoding} delimiter {delimiter!r}"
    return TableStream(header=header, rows=rows(), dialect=label)


def _open_xlsx(path: Path) -> TableStream:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileRejected(f"not a readable XLSX workbook ({type(error).__name__})") from None
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values)
    except StopIteration:
        workbook.close()
        raise FileRejected("empty workbook: no header row") from None
    header = tuple(normalise_header(name) for name in first)

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        try:
            width = len(header)
            for number, record in enumerate(values, start=2):
                cells = [_cell_text(value) for value in record]
                # Spreadsheets drop trailing empty cells, or keep stray empty ones past the header.
                if len(cells) < width:
                    cells.extend([None] * (width - len(cells)))
                elif len(cells) > width and all(cell is None for cell in cells[width:]):
                    del cells[width:]
                if all(cell is None or not cell.strip() for cell in cells):
                    continue
                yield number, cells
        finally:
            workbook.close()

    return TableStream(header=header, rows=rows(), dialect="xlsx")


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a CSV export would have held."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
