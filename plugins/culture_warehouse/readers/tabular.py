"""Read a delivered table, CSV in any landing.md dialect or XLSX, as a stream of column batches.

The reader knows nothing about a source's columns: it gives the normalised header and then
batches of rows as columns of text (PyArrow string arrays), each row with the line it starts
on, so a file of any size is read in constant memory and nothing downstream loops over rows in
Python.

A CSV file is first checked and indexed in one byte pass (``csv_index``: encoding, NUL bytes,
line length, where records start). When its quotes and line ends follow RFC 4180 it is parsed by
PyArrow's C++ parser and the index gives every row its line; otherwise (a quote inside an
unquoted value, lone ``\\r`` line ends) Python's ``csv`` module reads it, slower but exact. Both
give the same cells and lines. Lines, rows and columns are bounded (``limits``); a workbook is
judged from its zip directory before openpyxl expands it (``zip_guard``).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from culture_warehouse.limits import DoorLimits, door_limits
from culture_warehouse.readers.csv_index import CsvIndex, ScanRejected, scan_csv
from culture_warehouse.readers.zip_guard import ContainerRefused, check_workbook

T = TypeVar("T")
XLSX_MAGIC = b"PK\x03\x04"
_ARROW_BLOCK = 1 << 22
_PYTHON_BATCH = 20_000


class FileRejected(ValueError):
    """The whole file cannot be used; the message says why in words an operator understands."""


class ColumnarDesync(RuntimeError):
    """PyArrow's records did not match the byte index: read the file again with the exact reader."""


@dataclass(frozen=True)
class RowBatch:
    """Rows of a delivered table as columns of text, in file order."""

    lines: pa.Array
    """The line each row starts on (int64)."""
    columns: tuple[pa.Array, ...]
    """One string array per header column; null where a spreadsheet row has no cell."""
    misfits: tuple[tuple[int, int], ...] = ()
    """(line, fields) of each non-blank row whose number of fields differs from the header's."""

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class TableStream:
    header: tuple[str, ...]
    batches: Iterator[RowBatch]
    dialect: str
    exact: bool = field(default=True)
    """False when lines come from the byte index (a ColumnarDesync may still be raised)."""


def exact_if_needed(read: Callable[[bool], T]) -> T:
    """Run ``read(exact=False)``; should the columnar parser lose its place, run ``read(True)``.

    ``read`` writes in its own transaction, so what the first attempt wrote is rolled back.
    """
    try:
        return read(False)
    except ColumnarDesync:
        return read(True)


def normalise_header(name: object) -> str:
    """Case and surrounding spaces do not matter; inner spaces become underscores."""
    text = "" if name is None else str(name)
    return "_".join(text.replace("\ufeff", "").strip().lower().split())


def open_table(
    path: Path, file_name: str, xlsx_allowed: bool, limits: DoorLimits | None = None, exact: bool = False
) -> TableStream:
    """Open a delivered table; raises FileRejected when it is not a readable table.

    ``exact`` reads a CSV with Python's csv module even when the columnar parser could.
    """
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
    return _open_csv(path, limits, exact)


def rows_of(stream: TableStream) -> Iterator[tuple[int, list[str | None]]]:
    """The stream row by row, for small tables read cell by cell; a misfit row has no cells."""
    for batch in stream.batches:
        rows: list[tuple[int, list[str | None]]] = [(line, [None] * fields) for line, fields in batch.misfits]
        columns = [column.to_pylist() for column in batch.columns]
        rows.extend(zip(batch.lines.to_pylist(), map(list, zip(*columns, strict=True)), strict=True))
        rows.sort(key=lambda row: row[0])
        yield from rows


def too_many_columns(found: int, limit: int) -> str:
    return f"the header has {found} columns, more than the limit of {limit}"


def too_many_rows(limit: int, where: str) -> str:
    return f"more than the limit of {limit} rows (at {where})"


def sniff_delimiter(first_line: str) -> str:
    """The delimiter is whichever of ``;`` ``,`` or tab occurs most often in the header line."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _first_line(path: Path, limit: int) -> bytes:
    with path.open("rb") as handle:
        return handle.readline(limit + 1)


def _open_csv(path: Path, limits: DoorLimits, exact: bool) -> TableStream:
    raw_first = _first_line(path, limits.max_line_chars)
    delimiter = sniff_delimiter(raw_first.decode("latin-1"))
    try:
        index = scan_csv(path, delimiter, limits.max_line_chars)
    except ScanRejected as rejected:
        raise FileRejected(str(rejected)) from None
    with path.open(encoding=index.encoding, newline="") as handle:
        first_line = handle.readline()
        if not first_line.strip():
            raise FileRejected("empty file: no header line")
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            header = tuple(normalise_header(name) for name in next(reader))
        except csv.Error:
            raise FileRejected("broken CSV at line 1: unbalanced quotes or a truncated file") from None
        header_lines = reader.line_num
    if len(header) > limits.max_columns:
        raise FileRejected(too_many_columns(len(header), limits.max_columns))
    label = f"csv {index.encoding} delimiter {delimiter!r}"
    if index.plain and index.unbalanced_at is not None:
        raise FileRejected(f"broken CSV at line {index.unbalanced_at}: unbalanced quotes or a truncated file")
    if index.plain and header_lines == 1 and not exact:
        batches: Iterator[RowBatch] = read_ahead(_arrow_batches(path, index, delimiter, len(header), limits))
        return TableStream(header=header, batches=batches, dialect=label, exact=False)
    batches = _python_batches(path, index.encoding, delimiter, len(header), limits)
    return TableStream(header=header, batches=batches, dialect=label)


class _RowCounter:
    """Counts non-blank rows against the file's row limit."""

    def __init__(self, limit: int, describe: Callable[[int], str]) -> None:
        self.limit = limit
        self.count = 0
        self.describe = describe

    def add(self, lines: list[int] | np.ndarray) -> None:
        if self.count + len(lines) > self.limit:
            where = self.describe(int(lines[self.limit - self.count]))
            raise FileRejected(too_many_rows(self.limit, where))
        self.count += len(lines)


def _blank_rows(columns: tuple[pa.Array, ...]) -> np.ndarray | None:
    """Which rows hold nothing but blanks (a CSV export's empty lines); None when no row does."""
    blank: pa.Array | None = None
    for column in columns:
        empty = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(column), ""), True)
        blank = empty if blank is None else pc.and_(blank, empty)
        if not pc.any(blank).as_py():
            return None
    if blank is None:
        return None
    return np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)


_DONE = object()


def read_ahead(items: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """``items``, produced by a thread of its own up to ``depth`` ahead of the consumer.

    PyArrow parses a CSV block without holding the GIL, so the next batch is parsed while the
    loader converts this one (and PostgreSQL stores the one before). What the producer raises is
    raised here, in order; a consumer that stops early stops the producer.
    """
    handoff: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        handoff.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            outcome: tuple[object, BaseException | None] = (_DONE, None)
        except BaseException as error:  # handed to the consumer, raised there
            outcome = (_DONE, error)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        while not stop.is_set():
            try:
                handoff.put(outcome, timeout=0.1)
                return
            except queue.Full:
                continue

    worker = threading.Thread(target=produce, name="culture-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = handoff.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


def _arrow_batches(
    path: Path, index: CsvIndex, delimiter: str, width: int, limits: DoorLimits
) -> Iterator[RowBatch]:
    """Parse with PyArrow; the byte index gives each row its line."""
    names = [f"c{position}" for position in range(width)]
    record_lines = index.record_lines
    if len(record_lines) <= 1:
        return  # a header and nothing else
    try:
        yield from _arrow_parsed(path, index, delimiter, names, limits)
    except pa.ArrowInvalid:
        raise ColumnarDesync() from None


def _arrow_parsed(
    path: Path, index: CsvIndex, delimiter: str, names: list[str], limits: DoorLimits
) -> Iterator[RowBatch]:
    record_lines = index.record_lines
    width = len(names)
    invalid: list[int] = []  # record numbers (0 = header) PyArrow set aside, in order
    misfits: list[tuple[int, int]] = []
    desync: list[bool] = []

    def set_aside(row: pa_csv.InvalidRow) -> str:
        if row.number is None or row.number - 1 >= len(record_lines):
            desync.append(True)
            return "skip"
        record = row.number - 1
        invalid.append(record)
        if not _blank_record(row.text or "", delimiter):
            misfits.append((int(record_lines[record]), row.actual_columns))
        return "skip"

    reader = pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(
            use_threads=False, block_size=_ARROW_BLOCK, column_names=names, skip_rows=1,
            encoding="utf8" if index.encoding.startswith("utf-8") else index.encoding,
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
            newlines_in_values=True, ignore_empty_lines=True, invalid_row_handler=set_aside,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False,
        ),
    )  # fmt: skip
    counter = _RowCounter(limits.csv_max_rows, lambda line: f"line {line}")
    cursor = 1  # the next record to hand out (record 0 is the header)
    used_invalid = 0
    for batch in reader:
        if desync:
            raise ColumnarDesync()
        rows = batch.num_rows
        # The next `rows` records that PyArrow did not set aside (those come in record order).
        stop = cursor + rows
        while True:
            skipped = bisect.bisect_left(invalid, stop, lo=used_invalid) - used_invalid
            if cursor + rows + skipped == stop:
                break
            stop = cursor + rows + skipped
        chosen = np.arange(cursor, stop, dtype=np.int64)
        if skipped:
            skip = np.asarray(invalid[used_invalid : used_invalid + skipped], dtype=np.int64)
            chosen = np.setdiff1d(chosen, skip, assume_unique=True)
        used_invalid += skipped
        cursor = stop
        if len(chosen) and chosen[-1] >= len(record_lines):
            raise ColumnarDesync()
        lines = record_lines[chosen]
        columns = tuple(batch.column(position) for position in range(width))
        blank = _blank_rows(columns)
        if blank is not None:
            keep = pa.array(~blank)
            columns = tuple(pc.filter(column, keep) for column in columns)
            lines = lines[~blank]
        found = misfits[:]
        misfits.clear()
        counter.add(np.sort(np.concatenate((lines, [line for line, _ in found]))) if found else lines)
        yield RowBatch(pa.array(lines, pa.int64()), columns, tuple(found))
    if desync or cursor + len(invalid) - used_invalid != len(record_lines):
        raise ColumnarDesync()
    if misfits:
        yield _batch_of([], [], misfits, width)


def _blank_record(text: str, delimiter: str) -> bool:
    """Whether a set-aside record holds only blanks (csv's reading of it, as the exact reader)."""
    try:
        cells = next(csv.reader([text], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return False
    return all(not cell.strip() for cell in cells)


def _python_batches(
    path: Path, encoding: str, delimiter: str, width: int, limits: DoorLimits
) -> Iterator[RowBatch]:
    """Python's csv module, row by row: exact line numbers for any quoting csv accepts."""
    counter = _RowCounter(limits.csv_max_rows, lambda line: f"line {line}")
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        next(reader)
        previous_line = reader.line_num
        rows: list[list[str]] = []
        lines: list[int] = []
        misfits: list[tuple[int, int]] = []
        try:
            for record in reader:
                start_line = previous_line + 1
                previous_line = reader.line_num
                if not any(record) or all(not cell.strip() for cell in record):
                    continue
                counter.add([start_line])
                if len(record) != width:
                    misfits.append((start_line, len(record)))
                    continue
                rows.append(record)
                lines.append(start_line)
                if len(rows) >= _PYTHON_BATCH:
                    yield _batch_of(rows, lines, misfits, width)
                    rows, lines, misfits = [], [], []
        except csv.Error:
            raise FileRejected(
                f"broken CSV at line {previous_line + 1}: unbalanced quotes or a truncated file"
            ) from None
        if rows or misfits:
            yield _batch_of(rows, lines, misfits, width)


def _batch_of(
    rows: Sequence[Sequence[str | None]], lines: list[int], misfits: list[tuple[int, int]], width: int
) -> RowBatch:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]
    arrays = tuple(pa.array(column, pa.string()) for column in columns)
    return RowBatch(pa.array(lines, pa.int64()), arrays, tuple(misfits))


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

    def batches() -> Iterator[RowBatch]:
        try:
            width = len(header)
            rows: list[list[str | None]] = []
            lines: list[int] = []
            misfits: list[tuple[int, int]] = []
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
                if len(cells) != width:
                    misfits.append((number, len(cells)))
                    continue
                rows.append(cells)
                lines.append(number)
                if len(rows) >= _PYTHON_BATCH:
                    yield _batch_of(rows, lines, misfits, width)
                    rows, lines, misfits = [], [], []
            if rows or misfits:
                yield _batch_of(rows, lines, misfits, width)
        finally:
            close()

    return TableStream(header=header, batches=batches(), dialect="xlsx")


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
