"""The loader sends PostgreSQL binary COPY; the rows stored must be those a text COPY stores.

Each batch's values are what the door's converters make of delivered text (``PARSERS``): dates,
timestamps in any zone (old Copenhagen dates have an offset with seconds, which Arrow does not
read), numbers with their scale, whole numbers at the limits, yes/no and text with tabs, line
ends, backslashes and non-ASCII characters. They are written once by ``copy_batches`` (binary)
and once by ``copy_rows`` (text, one row at a time), and every stored value is compared as
PostgreSQL prints it, so a lost trailing zero of a numeric shows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import psycopg
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from culture_warehouse.contract import Column, Kind, TabularSource
from culture_warehouse.load import NormalisedBatch, copy_batches, copy_rows, ensure_raw_table
from culture_warehouse.readers.values import INTEGER_RANGE, PARSERS

KINDS = (
    Kind.TEXT, Kind.CODE, Kind.DATE, Kind.TIMESTAMP, Kind.DECIMAL, Kind.INTEGER, Kind.BOOLEAN, Kind.FREE_TEXT,
)  # fmt: skip


def _table(name: str) -> TabularSource:
    columns = tuple(Column(f"{kind.name.lower()}_value", kind) for kind in KINDS)
    return TabularSource(source="copytest", entity=name, pattern=re.compile(name), columns=columns)


BINARY, TEXT = _table("binary"), _table("text")

_zones = st.sampled_from(
    [None, dt.UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(-dt.timedelta(hours=9, minutes=30))]
)
_ANY_CHARACTER = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
_delivered: dict[Kind, st.SearchStrategy[str]] = {
    Kind.TEXT: st.text(_ANY_CHARACTER, max_size=12),
    Kind.CODE: st.from_regex(r"[0-9]{1,6}(\.0)?|[A-Z]{2}-[0-9]{3}", fullmatch=True),
    Kind.DATE: st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(
        lambda day: day.isoformat() if day.year % 2 else f"{day:%d.%m}.{day.year:04d}"
    ),
    Kind.TIMESTAMP: st.builds(
        lambda stamp, zone, sep: stamp.replace(tzinfo=zone).isoformat(sep=sep),
        st.datetimes(dt.datetime(1850, 1, 1), dt.datetime(2200, 12, 31)),
        _zones,
        st.sampled_from([" ", "T"]),
    ),
    Kind.DECIMAL: st.one_of(
        st.from_regex(r"-?[0-9]{1,20}([.,][0-9]{0,12})?", fullmatch=True),
        st.sampled_from(["0", "-0", "0.50", ".5", "5.", "1e5", "1.5E-3", "1.234,50", "-0.000", "1e-3"]),
    ),
    Kind.INTEGER: st.integers(*INTEGER_RANGE).map(str) | st.sampled_from(["4,0", "-2147483648"]),
    Kind.BOOLEAN: st.sampled_from(["ja", "nej", "Y", "n", "TRUE", "0", "1"]),
    Kind.FREE_TEXT: st.text(_ANY_CHARACTER | st.sampled_from("\t\n\r\\ æøå€"), max_size=30),
}


def _normalised(kind: Kind) -> st.SearchStrategy[str | None]:
    def parse(text: str) -> str | None:
        try:
            return PARSERS[kind](text) or None
        except ValueError:
            return None

    return st.none() | _delivered[kind].map(parse)


_rows = st.lists(st.tuples(*(_normalised(kind) for kind in KINDS)), min_size=1, max_size=25)


def _stored(conn: psycopg.Connection, spec: TabularSource) -> list[tuple[object, ...]]:
    names = ", ".join(f"{column.name}::text" for column in spec.columns)
    return conn.execute(f"select _load_id, _line, {names} from {spec.raw_table} order by _line").fetchall()


def _one_by_one(batches: list[NormalisedBatch]) -> Iterator[tuple[int, list[str | None]]]:
    for batch in batches:
        columns = [values.to_pylist() for values in batch.columns]
        for line, values in zip(batch.lines.to_pylist(), zip(*columns, strict=True), strict=True):
            yield line, list(values)


def _as_batch(rows: list[tuple[str | None, ...]], first_line: int) -> NormalisedBatch:
    lines = pa.array(range(first_line, first_line + len(rows)), pa.int64())
    columns = tuple(pa.array(list(values), pa.string()) for values in zip(*rows, strict=True))
    return NormalisedBatch(lines, columns)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(_rows, min_size=1, max_size=3))
def test_binary_copy_stores_the_rows_a_text_copy_of_the_same_values_stores(
    warehouse_dsn: str, batches: list[list[tuple[str | None, ...]]]
) -> None:
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        conn.execute("create schema if not exists raw")
        for spec in (BINARY, TEXT):
            ensure_raw_table(conn, spec)
            conn.execute(f"truncate {spec.raw_table}")
        normalised, line = [], 2
        for rows in batches:
            normalised.append(_as_batch(rows, line))
            line += len(rows) + 3  # lines need not follow on
        written = copy_batches(conn, BINARY, 4_000_000_000, iter(normalised))
        copy_rows(conn, TEXT, 4_000_000_000, _one_by_one(normalised))
        assert written == sum(len(rows) for rows in batches)
        assert _stored(conn, BINARY) == _stored(conn, TEXT)


def test_a_binary_copy_of_no_rows_is_a_valid_empty_copy(warehouse_dsn: str) -> None:
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        conn.execute("create schema if not exists raw")
        ensure_raw_table(conn, BINARY)
        assert copy_batches(conn, BINARY, 1, iter([])) == 0
        assert copy_batches(conn, BINARY, 1, iter([_as_batch([], 2)])) == 0
        assert _stored(conn, BINARY) == []
