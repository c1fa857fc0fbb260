"""The shape every tabular source follows: a file pattern, typed columns and row rules.

Shared machinery below the sources: readers, the loader and every ``sources/<name>/`` package
build on these types; this module imports nothing of the project."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa
import pyarrow.compute as pc


class Kind(StrEnum):
    """How a column's text is normalised, and the PostgreSQL type it is stored as."""

    TEXT = "text"
    CODE = "code"  # identifiers such as unit codes: a spreadsheet's 2110.0 becomes '2110'
    EMPLOYEE = "employee"  # an employee number, replaced by its keyed pseudonym
    DATE = "date"
    TIMESTAMP = "timestamp"
    DECIMAL = "decimal"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    FREE_TEXT = "free_text"  # may hold CPR numbers: redacted before it is stored


PG_TYPES = {
    Kind.TEXT: "text",
    Kind.CODE: "text",
    Kind.EMPLOYEE: "text",
    Kind.DATE: "date",
    Kind.TIMESTAMP: "timestamptz",
    Kind.DECIMAL: "numeric",
    Kind.INTEGER: "integer",
    Kind.BOOLEAN: "boolean",
    Kind.FREE_TEXT: "text",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()


Columns = Mapping[str, "pa.Array"]


@dataclass(frozen=True)
class RowRule:
    """A contract rule over one row's normalised values; a row that breaks it is quarantined.

    ``vector`` judges whole columns of a batch at once (null where a value is missing, which
    holds); rules without one are judged row by row.
    """

    column: str
    reason: str
    test: Callable[[dict[str, str | None]], bool]
    vector: Callable[[Columns], pa.Array] | None = None

    def holds(self, row: dict[str, str | None]) -> bool:
        return self.test(row)


def not_before(later: str, earlier: str) -> RowRule:
    """``later`` is blank or on/after ``earlier`` (ISO dates compare as text)."""

    def test(row: dict[str, str | None]) -> bool:
        end, start = row.get(later), row.get(earlier)
        return end is None or start is None or end[:10] >= start[:10]

    def vector(columns: Columns) -> pa.Array:
        end, start = (pc.utf8_slice_codeunits(columns[name], 0, 10) for name in (later, earlier))
        return pc.greater_equal(end, start)

    return RowRule(later, f"{later} is before {earlier}", test, vector)


def _numbers(values: pa.Array) -> pa.Array:
    """Canonical decimal text as float64, each distinct value converted once (as ``float()``)."""
    encoded = pc.dictionary_encode(values)
    numbers = [None if text is None else float(text) for text in encoded.dictionary.to_pylist()]
    return pa.array(numbers, pa.float64()).take(encoded.indices)


def not_negative(column: str) -> RowRule:
    def test(row: dict[str, str | None]) -> bool:
        value = row.get(column)
        return value is None or float(value) >= 0

    def vector(columns: Columns) -> pa.Array:
        return pc.greater_equal(_numbers(columns[column]), 0)

    return RowRule(column, f"{column} is negative", test, vector)


def within(column: str, low: float, high: float) -> RowRule:
    def test(row: dict[str, str | None]) -> bool:
        value = row.get(column)
        return value is None or low <= float(value) <= high

    def vector(columns: Columns) -> pa.Array:
        numbers = _numbers(columns[column])
        return pc.and_(pc.greater_equal(numbers, low), pc.less_equal(numbers, high))

    return RowRule(column, f"{column} is outside {low:g}..{high:g}", test, vector)


@dataclass(frozen=True)
class TabularSource:
    """One kind of delivered table, e.g. ``hr/employees_YYYYMMDD.csv``."""

    source: str
    entity: str
    pattern: re.Pattern[str]
    columns: tuple[Column, ...]
    xlsx_allowed: bool = False
    description: str = ""
    row_rules: tuple[RowRule, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.source}_{self.entity}"

    @property
    def raw_table(self) -> str:
        return f"raw.{self.name}"

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for candidate in self.columns:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def extract_date(self, file_name: str) -> dt.date | None:
        """The extract date from the file name (``YYYYMMDD``; a goals year counts from 1 January)."""
        match = self.pattern.fullmatch(file_name)
        if not match:
            return None
        groups = match.groupdict()
        if groups.get("date"):
            return dt.datetime.strptime(groups["date"], "%Y%m%d").date()
        if groups.get("year"):
            return dt.date(int(groups["year"]), 1, 1)
        return None


def dated(prefix: str, extensions: str = "csv") -> re.Pattern[str]:
    """``<prefix>_YYYYMMDD.<ext>``, case-insensitive."""
    return re.compile(rf"{prefix}_(?P<date>[0-9]{{8}})\.(?:{extensions})", re.IGNORECASE)
