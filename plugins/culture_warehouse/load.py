"""Load a delivered table into ``raw`` with PostgreSQL COPY, quarantining rows that break the contract.

The reader's batches are converted column by column (``ColumnConverter``: each distinct value
once), checked against the row rules as whole columns, and turned into binary COPY tuples by PyArrow
and NumPy (``copy_binary``: PostgreSQL parses no text), so memory holds one batch and no Python
code runs per row. Personal columns are never read into a
batch; employee numbers become pseudonyms and free text loses its CPR numbers before anything is
written.
"""

from __future__ import annotations

import datetime as dt
import struct
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from psycopg.copy import QueuedLibpqWriter
from psycopg.types.numeric import dump_decimal_to_numeric_binary

from culture_warehouse.contract import PG_TYPES, Kind, RowRule, TabularSource
from culture_warehouse.number_pseudonyms import NumberPseudonyms
from culture_warehouse.privacy import PERSONAL_COLUMNS, column_label, column_mention, redact_cpr
from culture_warehouse.readers.tabular import FileRejected, TableStream
from culture_warehouse.readers.values import PARSERS

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
    # Loads append in _load_id order, so a BRIN index finds a load's rows (validation, discard)
    # at almost no cost to COPY; a B-tree over millions of answer rows doubled the COPY time.
    # Warehouses from before 2026-12 have the B-tree: it is dropped.
    conn.execute(f"drop index if exists raw.{spec.name}_load")
    index = f"{spec.name}_load_range"
    conn.execute(f"create index if not exists {index} on {spec.raw_table} using brin (_load_id)")


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


_CACHE_LIMIT = 1_000_000


class _Failed:
    """A value that could not be converted; carries the reason (never the value)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


EMPTY_REASON = "required value is empty"


_PURE_CACHES: dict[Kind, dict[str, str | _Failed]] = {}
_PSEUDONYM_CACHES: weakref.WeakKeyDictionary[Callable[[str], str], dict[str, str | _Failed]] = (
    weakref.WeakKeyDictionary()
)


_NUMBER_PSEUDONYMS: weakref.WeakKeyDictionary[Callable[[str], str], NumberPseudonyms] = (
    weakref.WeakKeyDictionary()
)


def _hash_all(pseudonymise: Callable[[str], str], numbers: list[str]) -> list[str]:
    many = getattr(pseudonymise, "many", None)
    return many(numbers) if many is not None else [pseudonymise(n) for n in numbers]


def _shared_cache(kind: Kind, pseudonymise: Callable[[str], str]) -> dict[str, str | _Failed] | None:
    """Conversions remembered for the whole process: the next file repeats most values.

    Employee numbers are remembered per pseudonymiser (per key); free text is not remembered.
    """
    if kind is Kind.FREE_TEXT:
        return None
    if kind is Kind.EMPLOYEE:
        return _PSEUDONYM_CACHES.setdefault(pseudonymise, {})
    return _PURE_CACHES.setdefault(kind, {})


class ColumnConverter:
    """Converts one column of a batch: each distinct text once, the rest by PyArrow's ``take``.

    Values repeat a lot (dates, unit codes, fte values, the same employee in every file), so a
    batch of 30,000 rows is usually a few hundred conversions, and results are remembered across
    batches and files. Employee numbers become pseudonyms and free text loses its CPR numbers here.
    """

    def __init__(self, kind: Kind, pseudonymise: Callable[[str], str], required: bool) -> None:
        parse = PARSERS[kind]
        self.convert: Callable[[str], str]
        if kind is Kind.EMPLOYEE:
            self.convert = lambda text: pseudonymise(parse(text))
        elif kind is Kind.FREE_TEXT:
            self.convert = lambda text: redact_cpr(parse(text))
        else:
            self.convert = parse
        self.kind = kind
        self.required = required
        self.pseudonymise = pseudonymise
        self.cache = _shared_cache(kind, pseudonymise)
        self.hash_all = partial(_hash_all, pseudonymise)
        # Plain employee numbers: the process's index under this pseudonymiser (this key).
        self.numbers = (
            _NUMBER_PSEUDONYMS.setdefault(pseudonymise, NumberPseudonyms(_CACHE_LIMIT))
            if kind is Kind.EMPLOYEE
            else None
        )

    def _one(self, text: str | None) -> str | _Failed | None:
        if text is None or not text or text.isspace():
            return _Failed(EMPTY_REASON) if self.required else None
        try:
            found: str | _Failed = self.convert(text)
        except ValueError as error:
            found = _Failed(str(error))
        if self.cache is not None:
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
            self.cache[text] = found
        return found

    def __call__(self, column: pa.Array) -> tuple[pa.Array, npt.NDArray[np.int64], list[str]]:
        """The converted column, and the rows that failed with their reasons."""
        if self.kind in _TRIMMED and _plain_ascii(column):
            # Text and codes need no Python: trimmed (the characters str.strip removes from
            # ASCII), a spreadsheet's 2110.0 made 2110. Employee numbers go on to their pseudonyms.
            column = pc.utf8_trim(column, _ASCII_SPACE)
            if self.kind is not Kind.TEXT and pc.any(pc.match_substring(column, ".")).as_py():
                column = pc.replace_substring_regex(column, _INTEGRAL_FLOAT, r"\1")
            if self.kind is not Kind.EMPLOYEE:
                return self._trimmed(column)
            return self._pseudonymised(column)
        if self.kind is Kind.TIMESTAMP and _plain_ascii(column):
            stamped = self._plain_timestamps(column)
            if stamped is not None:
                return stamped
        encoded = pc.dictionary_encode(column)
        texts = encoded.dictionary.to_pylist()
        if self.cache is None:
            converted: list[str | _Failed | None] = [self._one(text) for text in texts]
            unresolved = list(range(len(texts)))
        else:
            # Most values are known: one dictionary lookup each, the rest converted now.
            known = self.cache.get
            converted = [known(text) for text in texts]
            unresolved = [
                at for at, value in enumerate(converted) if value is None or value.__class__ is _Failed
            ]
        bad: dict[int, str] = {}
        for at in unresolved:
            value = converted[at]
            if value is None:
                value = converted[at] = self._one(texts[at])
            if isinstance(value, _Failed):
                bad[at] = value.reason
                converted[at] = None
        values = pa.array(converted, pa.string()).take(encoded.indices)
        if self.required and column.null_count:
            bad[-1] = EMPTY_REASON
        if not bad:
            return values, np.zeros(0, np.int64), []
        indices = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(np.isin(indices, np.fromiter(bad, dtype=np.int64)))
        return values, rows, [bad[int(indices[row])] for row in rows]

    def _pseudonymised(self, column: pa.Array) -> tuple[pa.Array, npt.NDArray[np.int64], list[str]]:
        """Trimmed ASCII employee numbers (already what ``parse_code`` gives) to their pseudonyms.

        Plain integers (nearly every number) are found as a column (``NumberPseudonyms``); other
        forms each distinct number once through a dictionary. Either way only numbers never seen in
        this process reach the keyed hash, with no parsing in between.
        """
        values, rows, reasons = self._trimmed(column)
        pseudonyms = None if self.numbers is None else self.numbers.lookup(values, self.hash_all)
        if pseudonyms is not None:
            return pseudonyms, rows, reasons
        encoded = pc.dictionary_encode(values)
        texts = encoded.dictionary.to_pylist()
        cache = self.cache if self.cache is not None else {}
        converted = list(map(cache.get, texts))
        missing = converted.count(None)
        if missing:
            # The first file of a night knows none of them: hashed in one go, remembered with one
            # dict update; a later file hashes only the few numbers it is the first to bring.
            unknown = (
                range(len(texts))
                if missing == len(texts)
                else [at for at, value in enumerate(converted) if value is None]
            )
            if len(cache) + missing >= _CACHE_LIMIT:
                cache.clear()
            numbers = texts if missing == len(texts) else [texts[at] for at in unknown]
            hashed = self.hash_all(numbers)
            cache.update(zip(numbers, hashed, strict=True))
            if missing == len(texts):
                converted = list(hashed)
            else:
                for at, pseudonym in zip(unknown, hashed, strict=True):
                    converted[at] = pseudonym
        return pa.array(converted, pa.string()).take(encoded.indices), rows, reasons

    def _plain_timestamps(self, column: pa.Array) -> tuple[pa.Array, npt.NDArray[np.int64], list[str]] | None:
        """``YYYY-MM-DD HH:MM:SS``, naive (Copenhagen time) or with a zone (``Z``, ``+01:00``),
        the common forms, converted as columns; None for any other form.

        The offset to UTC is the same for every second of a local hour (Copenhagen changes its
        clock on the hour), so each distinct date, hour and zone goes through ``parse_timestamp``
        once and the minutes and seconds are joined back on. A column with any other form, or an
        impossible date, hour or zone, is left to the value-by-value path and its exact reasons.
        """
        values, rows, reasons = self._trimmed(pc.utf8_trim(column, _ASCII_SPACE))
        if values.null_count == len(values):
            return None
        danish = pc.fill_null(pc.match_substring_regex(values, _DANISH_STAMP), False)
        if pc.any(danish).as_py():
            # DD.MM.YYYY or DD-MM-YYYY and the time: the date turned round, as parse_timestamp does.
            day, month, year, rest = (pc.utf8_slice_codeunits(values, *at) for at in _DANISH_PARTS)
            iso = pc.binary_join_element_wise(year, "-", month, "-", day, rest, "")
            values = pc.if_else(danish, iso, values)
        if not pc.all(pc.match_substring_regex(values, _PLAIN_STAMP)).as_py():
            return None
        hour_and_zone = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(values, 0, 13), pc.utf8_slice_codeunits(values, 19, 32), "|"
        )
        keys = pc.dictionary_encode(hour_and_zone)
        prefixes: list[str] = []
        offsets: list[str] = []
        for key in keys.dictionary.to_pylist():
            hour, zone = key.split("|")
            try:
                stamp = PARSERS[Kind.TIMESTAMP](f"{hour}:00:00{zone}")
            except ValueError:
                return None
            prefixes.append(stamp[:13])
            offsets.append(stamp[19:])
        seconds = pc.utf8_slice_codeunits(values, 13, 19)
        prefix = pa.array(prefixes, pa.string()).take(keys.indices)
        offset = pa.array(offsets, pa.string()).take(keys.indices)
        return pc.binary_join_element_wise(prefix, seconds, offset, ""), rows, reasons

    def _trimmed(self, column: pa.Array) -> tuple[pa.Array, npt.NDArray[np.int64], list[str]]:
        blank = pc.fill_null(pc.equal(column, ""), True)
        values = pc.if_else(blank, pa.scalar(None, pa.string()), column)
        if not self.required or not pc.any(blank).as_py():
            return values, np.zeros(0, np.int64), []
        rows = np.flatnonzero(blank.to_numpy(zero_copy_only=False))
        return values, rows, [EMPTY_REASON] * len(rows)


_TRIMMED = frozenset({Kind.TEXT, Kind.CODE, Kind.EMPLOYEE})
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
"""What Python's ``str.strip()`` removes from ASCII text."""
_INTEGRAL_FLOAT = r"^(-?[0-9]+)\.0+$"
_DANISH_STAMP = r"^[0-9]{2}[-./][0-9]{2}[-./][0-9]{4}[ T]"
_DANISH_PARTS = ((0, 2), (3, 5), (6, 10), (10, 1 << 20))
_PLAIN_STAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-5][0-9]:[0-5][0-9](Z|[+-][0-9]{2}:[0-9]{2})?$"


def _plain_ascii(column: pa.Array) -> bool:
    """ASCII text without NUL characters (a NUL is a row error, found by the Python parsers)."""
    if column.null_count == len(column):
        return False
    return (
        bool(pc.all(pc.string_is_ascii(column)).as_py())
        and not pc.any(pc.match_substring(column, "\x00")).as_py()
    )


@dataclass(frozen=True)
class NormalisedBatch:
    """Good rows of a batch in contract column order, ready for COPY."""

    lines: pa.Array
    columns: tuple[pa.Array, ...]

    def __len__(self) -> int:
        return len(self.lines)


def normalised_batches(
    spec: TabularSource,
    stream: TableStream,
    pseudonymise: Callable[[str], str],
    outcome: LoadOutcome,
) -> Iterator[NormalisedBatch]:
    """Contract columns of every good row; bad rows go to ``outcome.quarantined`` (by line)."""
    plan = plan_columns(spec, stream.header)
    outcome.drift = list(plan.drift)
    outcome.dropped_personal = list(plan.dropped_personal)
    width = len(stream.header)
    fields = [
        (column.name, position, ColumnConverter(column.kind, pseudonymise, column.required))
        for column, position in zip(spec.columns, plan.positions, strict=True)
    ]
    for batch in stream.batches:
        rows = len(batch)
        outcome.rows_read += rows + len(batch.misfits)
        lines = batch.lines.to_numpy(zero_copy_only=False)
        problems = [
            QuarantinedRow(line, None, f"row has {count} fields, header has {width}")
            for line, count in batch.misfits
        ]
        failed = np.zeros(rows, dtype=bool)
        columns: list[pa.Array] = []
        for name, position, convert in fields:
            if position is None:
                columns.append(pa.nulls(rows, pa.string()))
                continue
            values, bad_rows, reasons = convert(batch.columns[position])
            for row, reason in zip(bad_rows.tolist(), reasons, strict=True):
                if not failed[row]:
                    failed[row] = True
                    problems.append(QuarantinedRow(int(lines[row]), name, reason))
            columns.append(values)
        if spec.row_rules:
            named = {column.name: values for column, values in zip(spec.columns, columns, strict=True)}
            for rule in spec.row_rules:
                breaks = ~rule_holds(rule, named, failed) & ~failed
                for row in np.flatnonzero(breaks).tolist():
                    failed[row] = True
                    problems.append(QuarantinedRow(int(lines[row]), rule.column, rule.reason))
        problems.sort(key=lambda problem: problem.line_number or 0)
        outcome.quarantined.extend(problems)
        if failed.any():
            keep = pa.array(~failed)
            columns = [pc.filter(values, keep) for values in columns]
            lines = lines[~failed]
        yield NormalisedBatch(pa.array(lines, pa.int64()), tuple(columns))


def rule_holds(
    rule: RowRule, named: dict[str, pa.Array], skip: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Whether each row keeps the rule; rows in ``skip`` are not judged (they hold)."""
    if rule.vector is not None:
        return np.asarray(pc.fill_null(rule.vector(named), True).to_numpy(zero_copy_only=False), dtype=bool)
    holds = np.ones(len(skip), dtype=bool)
    judged = np.flatnonzero(~skip)
    if not len(judged):
        return holds
    table = pa.table(named).take(pa.array(judged))
    for row, values in zip(judged.tolist(), table.to_pylist(), strict=True):
        holds[row] = rule.holds(values)
    return holds


def normalised_rows(
    spec: TabularSource,
    stream: TableStream,
    pseudonymise: Callable[[str], str],
    outcome: LoadOutcome,
) -> Iterator[tuple[int, list[str | None]]]:
    """The same as ``normalised_batches``, row by row (for small tables and tests)."""
    for batch in normalised_batches(spec, stream, pseudonymise, outcome):
        columns = [values.to_pylist() for values in batch.columns]
        for line, values in zip(batch.lines.to_pylist(), zip(*columns, strict=True), strict=True):
            yield line, list(values)


_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
"""The start of a binary COPY stream: its signature, no flags, no header extension."""
_TRAILER = b"\xff\xff"
_NULL = np.array([-1], ">i4")
_PG_EPOCH_DAYS = 10_957
"""Days from 1970-01-01 (Arrow's epoch) to 2000-01-01 (PostgreSQL's)."""
_PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@cache
def _empty() -> pa.Scalar:
    """The empty binary value, made on first use: making a PyArrow scalar from a Python value
    imports pandas (100 MB), which the tasks that import this module but load nothing (the
    transform and publish tasks) need not hold."""
    return pa.scalar(b"", pa.binary())


def copy_binary(load_id: int, batch: NormalisedBatch, kinds: Sequence[Kind]) -> memoryview:
    """A batch as PostgreSQL binary COPY tuples, built by PyArrow and NumPy column by column.

    Each value is sent in its column's binary form (a date as days, a number as base-10000
    digits), so PostgreSQL parses no text; values are the normalised text the converters made,
    so the rows stored are those a text COPY of the same batch stores. Each field is a 4-byte
    length (-1 for null) and its bytes; each tuple starts with its number of fields.
    """
    rows = len(batch)
    quads = pa.py_buffer(np.arange(0, 4 * rows + 1, 4, dtype=np.int32))
    head = struct.pack("!hiq", 2 + len(kinds), 8, load_id)  # field count, then _load_id (bigint)
    lines = batch.lines.to_numpy(zero_copy_only=False)
    parts: list[pa.Array | pa.Scalar] = [pa.scalar(head, pa.binary())]
    line_fields = np.empty((rows, 2), ">i4")  # _line (integer): its length, then its value
    line_fields[:, 0] = 4
    line_fields[:, 1] = lines
    parts.append(_binary_of(rows, quads, line_fields))
    for kind, values in zip(kinds, batch.columns, strict=True):
        parts.extend(_fields(kind, values, quads))
    tuples = pc.binary_join_element_wise(*parts, _empty())
    offsets = np.frombuffer(tuples.buffers()[1], np.int32, count=rows + 1, offset=tuples.offset * 4)
    data = tuples.buffers()[2]
    if data is None:
        return memoryview(b"")
    return memoryview(data)[int(offsets[0]) : int(offsets[-1])]


def _binary_of(rows: int, quads: pa.Buffer, fixed: npt.NDArray[Any]) -> pa.Array:
    """Rows of equal width (a NumPy array of ``rows`` rows) as a binary array, without copying."""
    width = fixed.dtype.itemsize * (fixed.size // rows if rows else 0)
    offsets = quads if width == 4 else pa.py_buffer(np.arange(0, width * rows + 1, width, dtype=np.int32))
    data = pa.py_buffer(np.ascontiguousarray(fixed))
    return pa.Array.from_buffers(pa.binary(), rows, [None, offsets, data])


def _fields(kind: Kind, values: pa.Array, quads: pa.Buffer) -> tuple[pa.Array, pa.Array]:
    """The lengths (4 bytes each) and the bytes of one column's fields."""
    rows = len(values)
    if kind is Kind.DATE:
        days = pc.cast(values, pa.date32()).cast(pa.int32())
        return _fixed_fields(days, np.dtype(">i4"), -_PG_EPOCH_DAYS, quads)
    if kind is Kind.INTEGER:
        return _fixed_fields(pc.cast(values, pa.int32()), np.dtype(">i4"), 0, quads)
    if kind is Kind.BOOLEAN:
        return _fixed_fields(pc.cast(pc.equal(values, "true"), pa.int8()), np.dtype("i1"), 0, quads)
    if kind is Kind.TIMESTAMP:
        try:
            micros = pc.cast(values, pa.timestamp("us", tz="UTC")).cast(pa.int64())
        except pa.ArrowInvalid:  # an offset Arrow does not read (a zone's seconds): Python's
            return _distinct_fields(values, _timestamp_binary, quads)
        return _fixed_fields(micros, np.dtype(">i8"), -_PG_EPOCH_MICROS, quads)
    if kind is Kind.DECIMAL:
        return _distinct_fields(values, _numeric_binary, quads)
    data = values.cast(pa.binary())
    lengths = pc.fill_null(pc.binary_length(data), -1).to_numpy(zero_copy_only=False).astype(">i4")
    return _binary_of(rows, quads, lengths), (pc.fill_null(data, _empty()) if data.null_count else data)


def _fixed_fields(
    numbers: pa.Array, dtype: np.dtype[Any], shift: int, quads: pa.Buffer
) -> tuple[pa.Array, pa.Array]:
    rows = len(numbers)
    valid = None if not numbers.null_count else numbers.is_valid().to_numpy(zero_copy_only=False)
    values = pc.fill_null(numbers, 0).to_numpy(zero_copy_only=False)
    encoded = (values + shift if shift else values).astype(dtype)
    lengths = np.full(rows, dtype.itemsize, ">i4")
    if valid is None:
        return _binary_of(rows, quads, lengths), _binary_of(rows, quads, encoded)
    lengths[~valid] = -1
    sizes = np.where(valid, dtype.itemsize, 0).astype(np.int32)
    offsets = np.zeros(rows + 1, np.int32)
    np.cumsum(sizes, out=offsets[1:])
    payload = pa.Array.from_buffers(
        pa.binary(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(encoded[valid]))]
    )
    return _binary_of(rows, quads, lengths), payload


def _distinct_fields(
    values: pa.Array, encode: Callable[[str], bytes], quads: pa.Buffer
) -> tuple[pa.Array, pa.Array]:
    """Fields of a column whose binary form Python makes, each distinct value once."""
    encoded = pc.dictionary_encode(values)
    forms = [encode(text) for text in encoded.dictionary.to_pylist()]
    payload = pa.array(forms, pa.binary()).take(encoded.indices)
    return _fields(Kind.TEXT, payload, quads) if payload.null_count else _with_lengths(payload, quads)


def _with_lengths(data: pa.Array, quads: pa.Buffer) -> tuple[pa.Array, pa.Array]:
    lengths = pc.binary_length(data).to_numpy(zero_copy_only=False).astype(">i4")
    return _binary_of(len(data), quads, lengths), data


def _numeric_binary(text: str) -> bytes:
    """A normalised decimal (``parse_decimal``) as PostgreSQL's binary numeric."""
    return bytes(dump_decimal_to_numeric_binary(Decimal(text)))


def _timestamp_binary(text: str) -> bytes:
    """A normalised timestamp (``parse_timestamp``: ISO with its offset) as microseconds since 2000."""
    return struct.pack("!q", (dt.datetime.fromisoformat(text) - _PG_EPOCH) // dt.timedelta(microseconds=1))


_PG_EPOCH_MICROS = 946_684_800_000_000


def copy_batches(
    conn: psycopg.Connection,
    spec: TabularSource,
    load_id: int,
    batches: Iterator[NormalisedBatch],
) -> int:
    """COPY batches into the raw table; returns the number of rows written.

    A second thread sends each block to PostgreSQL while this one prepares the next, so the
    server parses one batch while Python converts the next.
    """
    names = ", ".join(["_load_id", "_line", *(c.name for c in spec.columns)])
    kinds = [column.kind for column in spec.columns]
    written = 0
    statement = f"copy {spec.raw_table} ({names}) from stdin (format binary)"
    with conn.cursor() as cursor, cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        copy.write(_SIGNATURE)
        for batch in batches:
            if len(batch):
                copy.write(copy_binary(load_id, batch, kinds))
                written += len(batch)
        copy.write(_TRAILER)
    return written


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_FLUSH_BYTES = 1 << 20


def _copy_value(value: str | None) -> str:
    if value is None:
        return "\\N"
    return value.translate(_COPY_ESCAPES)


def copy_rows(
    conn: psycopg.Connection,
    spec: TabularSource,
    load_id: int,
    rows: Iterator[tuple[int, list[str | None]]],
) -> int:
    """COPY rows built one at a time (a minutes document's few rows) in blocks."""
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
            line = prefix + str(line_number) + "\t" + "\t".join(map(_copy_value, values)) + "\n"
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
