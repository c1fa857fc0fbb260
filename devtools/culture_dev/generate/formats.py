"""How a file is spelled on disk: CSV dialects, value formatting, deterministic XLSX and ZIP.

Every tabular file of a drop gets its own `Dialect` from a `DialectCycle`, so that one drop shows
every encoding, delimiter, date style, boolean spelling and header style the landing contract
promises, in the same files for the same seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt
from openpyxl import Workbook

from culture_dev.generate.timeline import NEVER, copenhagen_offset

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjectArray = npt.NDArray[np.object_]

DateStyle = Literal["iso", "dmy_dash", "dmy_dot"]
HeaderStyle = Literal["as_is", "title", "upper", "spaced"]
CellValue = str | int | float | dt.date | None

DATE_STYLES: tuple[DateStyle, ...] = ("dmy_dash", "iso", "dmy_dot")
ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")
BOOLEAN_SPELLINGS = (
    ("ja", "nej"),
    ("yes", "no"),
    ("true", "false"),
    ("1", "0"),
    ("J", "N"),
    ("Y", "N"),
)
HEADER_STYLES: tuple[HeaderStyle, ...] = ("as_is", "title", "upper", "spaced")


@dataclass(frozen=True)
class Dialect:
    encoding: str
    delimiter: str
    decimal_comma: bool
    date_style: DateStyle
    timestamp_tz: bool
    true_false: tuple[str, str]
    header_style: HeaderStyle
    column_order_seed: int | None
    line_terminator: str
    with_contact_columns: bool
    with_extra_column: bool


_T = TypeVar("_T")


class DialectCycle:
    """Hands out dialects file by file.

    Each property cycles with its own period, so any dozen consecutive files show every option
    of every property, and combinations keep changing (a `;` file is not always a comma file).
    """

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._count = 0

    def _pick(self, prop: str, options: Sequence[_T], period: int) -> _T:
        offset = random.Random(f"{self._seed}:dialect:{prop}").randrange(12)
        return options[(self._count // period + offset) % len(options)]

    def next(self) -> Dialect:
        shuffled = self._pick("column_order", (False, True), 5)
        dialect = Dialect(
            encoding=self._pick("encoding", ENCODINGS, 1),
            delimiter=self._pick("delimiter", (";", ","), 2),
            decimal_comma=self._pick("decimal_comma", (True, False), 3),
            date_style=self._pick("date_style", DATE_STYLES, 2),
            timestamp_tz=self._pick("timestamp_tz", (False, True), 1),
            true_false=self._pick("true_false", BOOLEAN_SPELLINGS, 1),
            header_style=self._pick("header_style", HEADER_STYLES, 3),
            column_order_seed=self._count if shuffled else None,
            line_terminator=self._pick("line_terminator", ("\r\n", "\n"), 4),
            with_contact_columns=self._pick("with_contact_columns", (False, True), 3),
            with_extra_column=self._pick("with_extra_column", (False, False, True), 1),
        )
        self._count += 1
        return dialect


def styled_header(name: str, style: HeaderStyle) -> str:
    titled = "_".join(part.capitalize() for part in name.split("_"))
    if style == "title":
        return titled
    if style == "upper":
        return name.upper()
    if style == "spaced":
        return f" {titled}  "
    return name


@dataclass(frozen=True)
class ExtraColumn:
    """A column the contract does not know (schema drift), filled from a few plausible values."""

    name: str
    values: tuple[str, ...]

    def values_for(self, first_row: int, count: int) -> list[str]:
        size = len(self.values)
        return [self.values[(first_row + i) % size] for i in range(count)]


class CsvTable:
    """One CSV file written batch by batch in a dialect; columns are given by contract name."""

    def __init__(
        self,
        path: Path,
        columns: Sequence[str],
        dialect: Dialect,
        extra: ExtraColumn | None = None,
    ) -> None:
        order = list(columns)
        if dialect.column_order_seed is not None:
            random.Random(dialect.column_order_seed).shuffle(order)
        self._order = order
        self._extra = extra if dialect.with_extra_column else None
        self._file = path.open("w", encoding=dialect.encoding, newline="")
        self._writer = csv.writer(
            self._file, delimiter=dialect.delimiter, lineterminator=dialect.line_terminator
        )
        header = [styled_header(name, dialect.header_style) for name in order]
        if self._extra is not None:
            header.append(self._extra.name)
        self._writer.writerow(header)
        self.rows = 0

    def write(self, columns: Mapping[str, Sequence[str]]) -> None:
        data = [columns[name] for name in self._order]
        count = len(data[0])
        if self._extra is not None:
            data.append(self._extra.values_for(self.rows, count))
        self._writer.writerows(zip(*data, strict=True))
        self.rows += count

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> CsvTable:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


DANISH_MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip


def date_text(day: dt.date, style: DateStyle) -> str:
    if style == "iso":
        return day.isoformat()
    separator = "-" if style == "dmy_dash" else "."
    return f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year}"


def danish_long_date(day: dt.date) -> str:
    return f"{day.day}. {DANISH_MONTHS[day.month - 1]} {day.year}"


def _format_unique(values: npt.NDArray[np.generic], render: Callable[[object], str]) -> list[str]:
    """Format each distinct value once: exports repeat few dates and numbers many times."""
    if values.size == 0:
        return []
    distinct, inverse = np.unique(values, return_inverse=True)
    rendered = np.array([render(value) for value in distinct.tolist()], dtype=object)
    result: list[str] = rendered[inverse.ravel()].tolist()
    return result


def format_dates(ordinals: IntArray, style: DateStyle) -> list[str]:
    """Dates from day ordinals; `NEVER` (and 0) become blank."""

    def render(value: object) -> str:
        ordinal = int(str(value))
        if ordinal in (0, NEVER):
            return ""
        return date_text(dt.date.fromordinal(ordinal), style)

    return _format_unique(ordinals, render)


def timestamp_text(day: dt.date, minute: int, dialect: Dialect) -> str:
    clock = f"{minute // 60:02d}:{minute % 60:02d}:00"
    if dialect.timestamp_tz:
        return f"{day.isoformat()}T{clock}{copenhagen_offset(day)}"
    return f"{date_text(day, dialect.date_style)} {clock}"


def format_timestamps(days: IntArray, minutes: IntArray, dialect: Dialect) -> list[str]:
    """Timestamps, with a UTC offset or naive (naive means Copenhagen time), as the dialect says."""

    def render(value: object) -> str:
        key = int(str(value))
        return timestamp_text(dt.date.fromordinal(key // 1440), key % 1440, dialect)

    return _format_unique(days * 1440 + minutes, render)


def decimal_text(value: float, decimal_comma: bool, places: int | None = None) -> str:
    text = f"{value:.{places}f}" if places is not None else f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if decimal_comma else text


def format_decimals(values: FloatArray, decimal_comma: bool, places: int | None = None) -> list[str]:
    """Decimals with comma or point; NaN becomes blank."""

    def render(value: object) -> str:
        number = float(str(value))
        return "" if np.isnan(number) else decimal_text(number, decimal_comma, places)

    return _format_unique(values, render)


def format_ints(values: IntArray) -> list[str]:
    return _format_unique(values, str)


def format_bools(values: BoolArray, dialect: Dialect) -> list[str]:
    yes, no = dialect.true_false
    return [yes if flag else no for flag in values.tolist()]


def pick(table: ObjectArray, indices: IntArray) -> list[str]:
    """Strings of a lookup table by index (names, codes, categories)."""
    picked: list[str] = table[indices].tolist()
    return picked


def object_array(values: Iterable[str]) -> ObjectArray:
    return np.array(list(values), dtype=object)


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    stamp: dt.datetime,
    sheet_title: str = "Ark1",
) -> int:
    """Write the first sheet of a workbook; returns the number of data rows."""
    workbook = Workbook(write_only=True)
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    workbook.properties.creator = "Eksport"
    sheet = workbook.create_sheet(sheet_title)
    sheet.append(list(header))
    count = 0
    for row in rows:
        sheet.append(list(row))
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(repack_zip(buffer.getvalue(), stamp))
    return count


def repack_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """The same archive with every member (and the document's modified date) dated `stamp`:
    ZIP writers otherwise stamp the clock."""
    fixed_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=fixed_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                content = _MODIFIED.sub(
                    rb"\g<1>" + stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", content
                )
            target.writestr(info, content)
    return output.getvalue()


# openpyxl stamps the save time into the document properties whatever they were set to.
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
