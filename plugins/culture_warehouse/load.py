"""Load a delivered table into ``raw`` with PostgreSQL COPY, quarantining rows that break the contract.

Rows are normalised one at a time and streamed into COPY in ~1 MB blocks, so memory does not grow
with the file. Personal columns are never read into a row; employee numbers become pseudonyms and
free text loses its CPR numbers before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import cast

import psycopg

from culture_warehouse.contract import PG_TYPES, Kind, TabularSource
from culture_warehouse.privacy import PERSONAL_COLUMNS, column_label, column_mention, redact_cpr
from culture_warehouse.readers.tabular import FileRejected, TableStream
from culture_warehouse.readers.values import PARSERS

_FLUSH_BYTES = 1 << 20
MAX_QUARANTINED_SHARE = 0.5


@dataclass(frozen=True)
class QuarantinedRow:
    line_number: int | None
    column_name: str | None
    reason: str


@dataclass
class LoadOutcome:
    rows_read: int = 0
    rows_loaded: int = 0
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    dropped_personal: list[str] = field(default_factory=list)
    # The key a re-delivery replaces, when only the content tells it (a meeting's committee, unit
    # and date); it takes precedence over the key recognised from the file name.
    logical_key: str | None = None


def ensure_raw_table(conn: psycopg.Connection, spec: TabularSource) -> None:
    """Create the raw table of a source, adding columns the contract has gained since."""
    columns = ", ".join(f"{c.name} {PG_TYPES[c.kind]}" for c in spec.columns)
    conn.execute(
        f"create table if not exists {spec.raw_table}"
        f" (_load_id bigint not null, _line integer not null, {columns})"
    )
    for column in spec.columns:
        conn.execute(
            f"alter table {spec.raw_table} add column if not exists {column.name} {PG_TYPES[column.kind]}"
        )
    conn.execute(f"create index if not exists {spec.name}_load on {spec.raw_table} (_load_id)")


@dataclass(frozen=True)
class ColumnPlan:
    """Which delivered column feeds each contract column, and what is left out."""

    positions: tuple[int | None, ...]
    drift: tuple[str, ...]
    dropped_personal: tuple[str, ...]


def plan_columns(spec: TabularSource, header: tuple[str, ...]) -> ColumnPlan:
    """Match the delivered header to the contract; a missing required column rejects the file."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in index:
            raise FileRejected(f"{column_mention(name, position)} appears twice in the header")
        index[name] = position
    positions: list[int | None] = []
    known: set[str] = set()
    for column in spec.columns:
        names = (column.name, *column.aliases)
        found = next((index[name] for name in names if name in index), None)
        known.update(names)
        if found is None and column.required:
            raise FileRejected(f"missing required column '{column.name}'")
        positions.append(found)
    personal = tuple(name for name in header if name in PERSONAL_COLUMNS and name not in known)
    drift = tuple(
        column_label(name, position)
        for position, name in enumerate(header)
        if name and name not in known and name not in PERSONAL_COLUMNS
    )
    return ColumnPlan(tuple(positions), drift, personal)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_CACHE_LIMIT = 1_000_000


def _copy_text(value: str | None) -> str:
    if value is None:
        return "\\N"
    return value.translate(_COPY_ESCAPES)


def _memoised(convert: Callable[[str], str]) -> Callable[[str], str]:
    """Cache a converter: dates, codes, fte values and employee numbers repeat across rows and files.

    Failures are not cached; they are rare and re-raise with the same reason.
    """
    cache: dict[str, str] = {}

    def run(text: str) -> str:
        found = cache.get(text)
        if found is None:
            found = convert(text)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[text] = found
        return found

    return run


def _converter(kind: Kind, pseudonymise: Callable[[str], str]) -> Callable[[str], str]:
    """The parser of a column kind, followed by pseudonymisation or CPR redaction where due."""
    parse = PARSERS[kind]
    if kind is Kind.EMPLOYEE:
        return _memoised(lambda text: pseudonymise(parse(text)))
    if kind is Kind.FREE_TEXT:
        return lambda text: redact_cpr(parse(text))
    return _memoised(parse)


_CHUNK_ROWS = 10_000


class _Failed:
    """A cell that could not be converted; carries the reason (never the value)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_EMPTY = _Failed("required value is empty")


def _convert_column(
    texts: list[str | None], convert: Callable[[str], str], required: bool
) -> tuple[list[str | _Failed | None], set[str | None]]:
    """Convert one column of a chunk, each distinct text once (values repeat a lot).

    Returns the converted column and the distinct texts that failed.
    """
    converted: dict[str | None, str | _Failed | None] = {}
    failed: set[str | None] = set()
    for text in set(texts):
        if text is None or not text or text.isspace():
            converted[text] = _EMPTY if required else None
            if required:
                failed.add(text)
            continue
        try:
            converted[text] = convert(text)
        except ValueError as error:
            converted[text] = _Failed(str(error))
            failed.add(text)
    return [converted[text] for text in texts], failed


def normalised_rows(
    spec: TabularSource,
    stream: TableStream,
    pseudonymise: Callable[[str], str],
    outcome: LoadOutcome,
) -> Iterator[tuple[int, list[str | None]]]:
    """Contract columns of every good row, in spec order; bad rows go to ``outcome.quarantined``.

    Rows are converted a chunk at a time, column by column, so a value that repeats (a date, a
    unit code, an fte) is parsed once per chunk instead of once per row.
    """
    plan = plan_columns(spec, stream.header)
    outcome.drift = list(plan.drift)
    outcome.dropped_personal = list(plan.dropped_personal)
    width = len(stream.header)
    fields = [
        (column.name, column.required, position, _converter(column.kind, pseudonymise))
        for column, position in zip(spec.columns, plan.positions, strict=True)
    ]
    for chunk in _chunks(stream.rows, _CHUNK_ROWS):
        outcome.rows_read += len(chunk)
        good: list[tuple[int, list[str | None]]] = []
        for line_number, cells in chunk:
            if len(cells) == width:
                good.append((line_number, cells))
            else:
                reason = f"row has {len(cells)} fields, header has {width}"
                outcome.quarantined.append(QuarantinedRow(line_number, None, reason))
        columns: list[list[str | _Failed | None]] = []
        problems: dict[int, QuarantinedRow] = {}
        for name, required, position, convert in fields:
            if position is None:
                columns.append([None] * len(good))
                continue
            texts = [cells[position] for _, cells in good]
            column, failed = _convert_column(texts, convert, required)
            if failed:
                for index, text in enumerate(texts):
                    value = column[index]
                    if text in failed and index not in problems and isinstance(value, _Failed):
                        problems[index] = QuarantinedRow(good[index][0], name, value.reason)
            columns.append(column)
        for index, values in enumerate(zip(*columns, strict=True)):
            line_number = good[index][0]
            problem = problems.get(index)
            row = cast(list[str | None], list(values))
            if problem is None and spec.row_rules:
                problem = _broken_rule(spec, line_number, row)
            if problem is not None:
                outcome.quarantined.append(problem)
                continue
            yield line_number, row


def _chunks(
    rows: Iterator[tuple[int, list[str | None]]], size: int
) -> Iterator[list[tuple[int, list[str | None]]]]:
    chunk: list[tuple[int, list[str | None]]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _broken_rule(spec: TabularSource, line_number: int, values: list[str | None]) -> QuarantinedRow | None:
    if not spec.row_rules:
        return None
    row = {column.name: value for column, value in zip(spec.columns, values, strict=True)}
    for rule in spec.row_rules:
        if not rule.holds(row):
            return QuarantinedRow(line_number, rule.column, rule.reason)
    return None


def copy_rows(
    conn: psycopg.Connection,
    spec: TabularSource,
    load_id: int,
    rows: Iterator[tuple[int, list[str | None]]],
) -> int:
    """COPY rows into the raw table in blocks; returns the number of rows written."""
    names = ", ".join(["_load_id", "_line", *(c.name for c in spec.columns)])
    written = 0
    prefix = f"{load_id}\t"
    block: list[str] = []
    size = 0
    with (
        conn.cursor() as cursor,
        cursor.copy(f"copy {spec.raw_table} ({names}) from stdin") as copy,
    ):
        for line_number, values in rows:
            line = prefix + str(line_number) + "\t" + "\t".join(map(_copy_text, values)) + "\n"
            block.append(line)
            size += len(line)
            written += 1
            if size >= _FLUSH_BYTES:
                copy.write("".join(block))
                block.clear()
                size = 0
        if block:
            copy.write("".join(block))
    return written
