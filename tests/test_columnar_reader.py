"""The columnar CSV path (byte index + PyArrow) reads exactly what Python's csv module reads.

Every landing.md dialect is generated at random (delimiter, quoting, line ends, encoding, BOM,
blank lines, quoted line breaks, rows with too few or too many fields) and read twice: by the
fast path and by the exact reader. Cells, the line each row starts on and the misfit rows must
be the same, and a file written the way a CSV writer writes is read by the fast path.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import psycopg
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from culture_warehouse.ingest import Night
from culture_warehouse.readers import tabular
from culture_warehouse.readers.tabular import ColumnarDesync, FileRejected, TableStream, open_table, rows_of
from culture_warehouse.sources.hr.contract import PERFORMANCE
from culture_warehouse.tabular_ingest import load_table

CELL = st.text(alphabet=st.sampled_from(list('ab ÆøÅé1,;\t"\n\r-')), max_size=6)


def read_both(path: Path) -> tuple[TableStream, list[object], TableStream, list[object]]:
    fast = open_table(path, path.name, xlsx_allowed=False)
    fast_rows = list(rows_of(fast))
    exact = open_table(path, path.name, xlsx_allowed=False, exact=True)
    return fast, fast_rows, exact, list(rows_of(exact))


@st.composite
def delivered_tables(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A table as some export tool would write it; True when every row has the header's width."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    width = draw(st.integers(1, 4))
    header = [f"col{i}" for i in range(width)]
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=12))
    ragged = draw(st.booleans())
    if ragged and rows:
        at = draw(st.integers(0, len(rows) - 1))
        rows[at] = rows[at][: max(1, width - 1)] if draw(st.booleans()) else [*rows[at], "extra"]
    text = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    writer = csv.writer(text, delimiter=delimiter, quoting=quoting, lineterminator=ending)
    writer.writerow(header)
    for row in rows:
        if draw(st.integers(0, 5)) == 0:
            text.write(ending)  # a blank line between rows
        writer.writerow(row)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    data = text.getvalue()
    if not draw(st.booleans()):
        data = data.removesuffix(ending)  # no line end after the last row
    try:
        return data.encode(encoding), not ragged
    except UnicodeEncodeError:
        return data.encode("utf-8"), not ragged


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=delivered_tables())
def test_the_columnar_path_reads_the_same_cells_and_lines_as_the_csv_module(
    tmp_path: Path, table: tuple[bytes, bool]
) -> None:
    data, _ = table
    path = tmp_path / "performance_20260630.csv"
    path.write_bytes(data)
    try:
        fast, fast_rows, exact, exact_rows = read_both(path)
    except FileRejected:
        with pytest.raises(FileRejected):
            list(rows_of(open_table(path, path.name, xlsx_allowed=False, exact=True)))
        return
    assert fast.header == exact.header
    assert fast_rows == exact_rows
    if b"\r" not in data.replace(b"\r\n", b""):
        assert not fast.exact, "a file written by a CSV writer is read by the columnar parser"


def test_a_quote_inside_an_unquoted_value_is_read_by_the_exact_reader(tmp_path: Path) -> None:
    path = tmp_path / "performance_20260630.csv"
    path.write_text('a;b\n1;he said "hi"\n2;x\n', encoding="utf-8")
    stream = open_table(path, path.name, xlsx_allowed=False)
    assert stream.exact
    assert list(rows_of(stream)) == [(2, ["1", 'he said "hi"']), (3, ["2", "x"])]


def test_a_value_over_several_lines_keeps_the_line_its_row_starts_on(tmp_path: Path) -> None:
    path = tmp_path / "performance_20260630.csv"
    path.write_text('a,b\n1,"two\nlines"\n\n3,x\n4\n', encoding="utf-8")
    stream = open_table(path, path.name, xlsx_allowed=False)
    assert not stream.exact
    assert list(rows_of(stream)) == [(2, ["1", "two\nlines"]), (5, ["3", "x"]), (6, [None])]


def test_a_truncated_quoted_value_rejects_the_file_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "performance_20260630.csv"
    path.write_text('a,b\n1,x\n2,"never closed\n', encoding="utf-8")
    with pytest.raises(FileRejected, match=r"^broken CSV at line 3: unbalanced quotes or a truncated file$"):
        list(rows_of(open_table(path, path.name, xlsx_allowed=False)))


PERFORMANCE_FILE = (
    "review_id;employee_number;period;rating;reviewed_on\n"
    "R1;100001;2025;4;2026-03-01\n"
    "R2;100002;2025;5;2026-03-02\n"
)


def test_rows_written_before_the_columnar_parser_lost_its_place_are_rolled_back_and_the_file_read_again(
    tmp_path: Path, warehouse_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from culture_warehouse.warehouse import bootstrap

    path = tmp_path / "performance_20260630.csv"
    path.write_text(PERFORMANCE_FILE, encoding="utf-8")
    original = tabular._arrow_batches

    def loses_its_place(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        yield from original(*args, **kwargs)  # type: ignore[arg-type]
        raise ColumnarDesync()

    monkeypatch.setattr(tabular, "_arrow_batches", loses_its_place)
    bootstrap(warehouse_dsn)
    night = Night(dsn=warehouse_dsn, as_of=dt.date(2026, 10, 1), run_id="r", pseudonymise=lambda n: f"p-{n}")
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        outcome = load_table(conn, PERFORMANCE, night, path, path.name, 7)
        query = f"select _line from {PERFORMANCE.raw_table} where _load_id = 7 order by 1"
        rows = conn.execute(query).fetchall()
    assert outcome.rows_loaded == 2
    assert rows == [(2,), (3,)]


ASCII_TEXT = st.text(alphabet=st.sampled_from(list(" \t\x0b\x0c\x1c\x1f-.0123 ab")), max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.one_of(st.none(), ASCII_TEXT), min_size=1, max_size=20),
    kind=st.sampled_from(["text", "code", "employee"]),
)
def test_text_and_codes_converted_as_columns_equal_the_python_parsers(
    texts: list[str | None], kind: str
) -> None:
    from culture_warehouse.contract import Kind
    from culture_warehouse.load import ColumnConverter
    from culture_warehouse.readers.values import PARSERS

    column_kind = Kind(kind)
    values, bad_rows, _ = ColumnConverter(column_kind, lambda n: f"p-{n}", required=True)(
        pa.array(texts, pa.string())
    )
    expected: list[str | None] = []
    for text in texts:
        if text is None or not text.strip():
            expected.append(None)
        else:
            parsed = PARSERS[column_kind](text)
            expected.append(f"p-{parsed}" if column_kind is Kind.EMPLOYEE else parsed)
    assert values.to_pylist() == expected
    assert bad_rows.tolist() == [at for at, value in enumerate(expected) if value is None]


STAMPS = st.builds(
    lambda date, sep, hour, minute, second, zone, pad: (
        f"{pad}{date}{sep}{hour:02d}:{minute:02d}:{second:02d}{zone}{pad}"
    ),
    date=st.sampled_from(
        [
            *("2026-03-29", "2026-10-25", "2025-10-26", "2026-07-01", "2026-02-30", "2026-13-01"),
            *("29.03.2026", "25-10-2026", "26/10/2025", "01.07.2026", "30-02-2026", "1.07.2026", "01.7-2026"),
        ]
    ),
    sep=st.sampled_from([" ", "T"]),
    hour=st.integers(0, 24),
    minute=st.integers(0, 60),
    second=st.integers(0, 59),
    zone=st.sampled_from(
        ["", "", "", "Z", "+01:00", "+02:00", "-05:30", "+00:00", "-00:00", "+24:00", "+01:60"]
    ),
    pad=st.sampled_from(["", " "]),
)
OTHER_STAMPS = st.sampled_from(
    ["29.03.2026 02:30", "2026-10-25 02:30:00+00:00", "2026-10-25 02:30Z", "", " "]
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), STAMPS, OTHER_STAMPS), min_size=1, max_size=12))
def test_timestamps_converted_as_columns_equal_the_python_parser(texts: list[str | None]) -> None:
    """Daylight-saving days (a missing and a repeated hour), impossible dates, hours and zones,
    naive and zoned stamps, ISO and Danish dates, other forms mixed in: the columnar path gives what
    ``parse_timestamp`` gives, value for value."""
    from culture_warehouse.contract import Kind
    from culture_warehouse.load import ColumnConverter
    from culture_warehouse.readers.values import parse_timestamp

    values, bad_rows, _ = ColumnConverter(Kind.TIMESTAMP, lambda n: n, required=False)(
        pa.array(texts, pa.string())
    )
    expected: list[str | None] = []
    failures: list[int] = []
    for at, text in enumerate(texts):
        try:
            expected.append(parse_timestamp(text) if text and text.strip() else None)
        except ValueError:
            expected.append(None)
            failures.append(at)
    assert bad_rows.tolist() == failures
    assert [value for at, value in enumerate(values.to_pylist()) if at not in failures] == [
        value for at, value in enumerate(expected) if at not in failures
    ]


def test_a_timestamp_column_is_parsed_once_per_distinct_hour_and_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A national absence file has a million stamps in a few thousand hours: the Python parser
    sees each hour and zone once, not each value."""
    from culture_warehouse import load
    from culture_warehouse.contract import Kind

    parsed: list[str] = []
    real = load.PARSERS[Kind.TIMESTAMP]

    def counted(text: str) -> str:
        parsed.append(text)
        return real(text)

    monkeypatch.setitem(load.PARSERS, Kind.TIMESTAMP, counted)
    stamps = [f"2024-01-01T06:{minute:02d}:00+01:00" for minute in range(60)]
    stamps += [f"01.01.2024 07:{minute:02d}:30" for minute in range(60)] + ["2024-01-02T06:00:00Z"]
    values, bad_rows, _ = load.ColumnConverter(Kind.TIMESTAMP, lambda n: n, required=True)(pa.array(stamps))

    assert sorted(parsed) == ["2024-01-01 07:00:00", "2024-01-01T06:00:00+01:00", "2024-01-02T06:00:00Z"]
    assert not len(bad_rows)
    assert values.to_pylist()[:2] == ["2024-01-01T06:00:00+01:00", "2024-01-01T06:01:00+01:00"]
    assert values.to_pylist()[60:62] == ["2024-01-01T07:00:30+01:00", "2024-01-01T07:01:30+01:00"]
    assert values.to_pylist()[-1] == "2024-01-02T06:00:00+00:00"
