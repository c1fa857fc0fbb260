"""Read a delivered table, CSV in any landing.md dialect or XLSX, as a stream of text rows.

The reader knows nothing about a source's columns: it yields the normalised header and then
``(line_number, cells)`` one row at a time, so a file of any size is read in constant memory.
Lines, rows and columns are bounded (``limits``): a CSV line longer than the limit is found in
the byte pass that checks the encoding, before the CSV reader holds any of it, and a workbook is
judged from its zip directory before openpyxl expands it (``zip_guard``).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from culture_warehouse.limits import DoorLimits, door_limits
from culture_warehouse.readers.zip_guard import ContainerRefused, check_workbook

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


def open_table(
    path: Path, file_name: str, xlsx_allowed: bool, limits: DoorLimits | None = None
) -> TableStream:
    """Open a delivered table; raises FileRejected when it is not a readable table."""
    limits = limits or door_limits()
    with path.open("rb") as handle:
        head = handle.read(4)
    is_workbook = head == XLSX_MAGIC
    if file_name.lower().endswith(".xlsx"):
        if not is_workbook:
            raise FileRejected("not an XLSX workbook (the file is not a zip container)")
        return _open_xlsx(path, limits)
    if is_workbook:
        raise FileRejected("an XLSX workbook under a .csv name (only CSV is allowed here)")
    return _open_csv(path, limits)


class _LineBound:
    """Follows the bytes of a text file: its line count, and the first line past the limit.

    Fed chunks no longer than the limit, so only a line running across chunks can be too long:
    only line ends are searched (C speed, nothing copied).
    """

    def __init__(self, max_line_bytes: int) -> None:
        self.max_line_bytes = max_line_bytes
        self.lines_before = 0
        self.current = 0  # bytes of the current, unfinished line

    def feed(self, chunk: bytes) -> None:
        ends = [found for found in (chunk.find(b"\n"), chunk.find(b"\r")) if found >= 0]
        if not ends:  # the current line runs on through the whole chunk
            self.current += len(chunk)
            if self.current > self.max_line_bytes:
                raise self._too_long()
            return
        if self.current + min(ends) > self.max_line_bytes:
            raise self._too_long()
        # Line ends are \n or \r\n, or \r alone in old Mac exports (counted only when no \n).
        self.lines_before += chunk.count(b"\n") or chunk.count(b"\r")
        self.current = len(chunk) - max(chunk.rfind(b"\n"), chunk.rfind(b"\r")) - 1

    def _too_long(self) -> FileRejected:
        line = self.lines_before + 1
        return FileRejected(f"line {line} is longer than the limit of {self.max_line_bytes} bytes")

    def nul_line(self, chunk: bytes) -> int:
        """The line number of the chunk's first NUL byte."""
        return self.lines_before + _line_ends(chunk[: chunk.index(b"\x00")]).count(b"\n") + 1


def _line_ends(chunk: bytes) -> bytes:
    return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def detect_encoding(path: Path, max_line_bytes: int | None = None) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes as UTF-8, else Windows-1252.

    The same pass refuses NUL bytes and lines longer than ``max_line_bytes``.
    """
    bound = _LineBound(max_line_bytes or door_limits().max_line_chars)
    size = min(_CHUNK, bound.max_line_bytes)
    with path.open("rb") as handle:
        start = handle.read(size)
        if start.startswith(codecs.BOM_UTF16_LE) or start.startswith(codecs.BOM_UTF16_BE):
            raise FileRejected("UTF-16 text: expected UTF-8 or Windows-1252")
        encoding = "utf-8-sig" if start.startswith(codecs.BOM_UTF8) else "utf-8"
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = start
        while chunk:
            if b"\x00" in chunk:
                raise FileRejected(
                    f"a NUL byte at line {bound.nul_line(chunk)} (binary content):"
                    " expected UTF-8 or Windows-1252 text"
                )
            bound.feed(chunk)
            if encoding != "cp1252":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = "cp1252"
            chunk = handle.read(size)
        if encoding != "cp1252":
            try:
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


def too_many_columns(found: int, limit: int) -> str:
    return f"the header has {found} columns, more than the limit of {limit}"


def too_many_rows(limit: int, where: str) -> str:
    return f"more than the limit of {limit} rows (at {where})"


def sniff_delimiter(first_line: str) -> str:
    """The delimiter is whichever of ``;`` ``,`` or tab occurs most often in the header line."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _open_csv(path: Path, limits: DoorLimits) -> TableStream:
    encoding = detect_encoding(path, limits.max_line_chars)
    with path.open(encoding=encoding, newline="") as handle:
        first_line = handle.readline()
    if not first_line.strip():
        raise FileRejected("empty file: no header line")
    delimiter = sniff_delimiter(first_line)
    handle = path.open(encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    header = tuple(normalise_header(name) for name in next(reader))
    if len(header) > limits.max_columns:
        handle.close()
        raise FileRejected(too_many_columns(len(header), limits.max_columns))

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        previous_line = reader.line_num
        count = 0
        try:
            for record in reader:
                start_line = previous_line + 1
                previous_line = reader.line_num
                if not any(record) or (not record[0].strip() and all(not c.strip() for c in record)):
                    continue
                count += 1
                if count > limits.csv_max_rows:
                    raise FileRejected(too_many_rows(limits.csv_max_rows, f"line {start_line}"))
                yield start_line, list(record)
        except csv.Error:
            raise FileRejected(
                f"broken CSV at line {previous_line + 1}: unbalanced quotes or a truncated file"
            ) from None
        finally:
            handle.close()

    label = f"csv {encoding} delimiter {delimiter!r}"
    return TableStream(header=header, rows=rows(), dialect=label)


def _open_xlsx(path: Path, limits: DoorLimits) -> TableStream:
    import zipfile

    from openpyxl import load_workbook

    try:
        check_workbook(
            str(path), limits.zip_max_expanded_bytes, limits.zip_max_ratio, limits.xlsx_max_rows,
            limits.max_columns, limits.xlsx_max_loaded_part_bytes,
        )  # fmt: skip
    except ContainerRefused as refused:
        raise FileRejected(f"XLSX workbook {refused}") from None
    except zipfile.BadZipFile:
        raise FileRejected("not a readable XLSX workbook (BadZipFile)") from None
    # An open file, not the path: the landing guard's verified path has no file name suffix,
    # which openpyxl would refuse.
    source = path.open("rb")
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        source.close()
        raise FileRejected(f"not a readable XLSX workbook ({type(error).__name__})") from None

    def close() -> None:
        workbook.close()
        source.close()

    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        first = next(values)
    except StopIteration:
        close()
        raise FileRejected("empty workbook: no header row") from None
    header = tuple(normalise_header(name) for name in first)
    if len(header) > limits.max_columns:
        close()
        raise FileRejected(too_many_columns(len(header), limits.max_columns))

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        try:
            width = len(header)
            for number, record in enumerate(values, start=2):
                if number > limits.xlsx_max_rows:
                    raise FileRejected(too_many_rows(limits.xlsx_max_rows, f"row {number}"))
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
            close()

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
