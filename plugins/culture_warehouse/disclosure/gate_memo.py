"""The publish gate's memory of its own verdicts: a part of the audit that would read the same
rows as when it last passed is not built and solved again.

The gate (``control.audit``) reads every family of the marts about to be published and solves
for every small group; at state scale that is most of the publish stage, and on most nights it
reads the same rows as the night before (closed survey rounds, the same suppressions). Reading
and auditing are deterministic: the same rows, in the same order, with the same ``k``, withheld
marts and code give the same verdict. The order of rows that tie on a query's sort key does not
count: a verdict is whether a linear system determines a secret, and the rows are its equations
(the reader groups them by the key, and no two rows have the same cell). So each part of the
audit (``control._HALVES``) reads through a ``RecordingConnection``. It keeps every query the
part ran (parameters bound: table names, variable names and unit codes, structure and never a
figure), how many rows the reader took from it, and a hash of those rows as a multiset (the sum
of their 128-bit BLAKE2 hashes). When the part found no group determined, the gate stores the
queries, the counts and the digest over them.

The next night the part runs its stored queries again and hashes as many rows of each as the
reader took. It does not build families or solve. When the digest is the same, the reader
would see the same rows and give the same verdict, so the stored verdict stands. Any change in
what the audit would read (a suppression flag, a count, a unit, a table, one row more or less)
changes the digest, and the part is read and audited in full. A verdict that found a group
determined is never stored, and a full refresh (``culture run --full-refresh``) forgets every
verdict.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import ClientCursor

from culture_warehouse.disclosure.memo import code_version

_READS = ("select", "with")
_ITERSIZE = 5_000
_MASK = (1 << 128) - 1


@dataclass
class _Read:
    """One query of the audit: its text, whether it streamed (a server-side cursor), the rows
    the reader took from it, their hash as a multiset, and whether that was all of them."""

    text: str
    streamed: bool
    rows: int = 0
    exhausted: bool = False  # the reader took every row there was
    hashed: int = 0  # the sum of the rows' 128-bit hashes: the rows as a multiset

    def take(self, row: Any) -> Any:
        self.rows += 1
        found = hashlib.blake2b(repr(row).encode(), digest_size=16).digest()
        self.hashed = (self.hashed + int.from_bytes(found, "big")) & _MASK
        return row

    def take_all(self, rows: Iterable[Any]) -> None:
        """Every row of a result, taken."""
        for row in rows:
            self.take(row)
        self.exhausted = True


class RecordingConnection:
    """A psycopg connection that keeps every query it reads with the rows the reader took.

    Passes everything else through, so the audit's reader (disclosure/families.py) runs on it
    unchanged: the rows of ``execute`` are hashed at once (they are all in this process
    already), those of a server-side cursor (``cursor(name=...)``) as the reader takes them."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self.reads: list[_Read] = []

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        cursor = self._conn.execute(query, params, **kwargs)
        read = self.read(query, params, streamed=False)
        if read is not None:
            rows = cursor.fetchall()
            read.take_all(rows)
            if rows:  # the reader gets every row, as if none was taken (an empty result has no row 0)
                cursor.scroll(0, mode="absolute")
        return cursor

    def cursor(self, *args: Any, **kwargs: Any) -> _RecordingCursor:
        return _RecordingCursor(self, self._conn.cursor(*args, **kwargs))

    def read(self, query: Any, params: Any, streamed: bool) -> _Read | None:
        text = query if isinstance(query, str) else query.as_string(self._conn)
        if not text.lstrip().lower().startswith(_READS):
            return None
        bound = ClientCursor(self._conn).mogrify(text, params) if params else text
        self.reads.append(_Read(bound, streamed))
        return self.reads[-1]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


class _RecordingCursor:
    def __init__(self, recorder: RecordingConnection, cursor: Any) -> None:
        object.__setattr__(self, "_recorder", recorder)
        object.__setattr__(self, "_cursor", cursor)
        object.__setattr__(self, "_read", None)

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> _RecordingCursor:
        self._cursor.execute(query, params, **kwargs)
        object.__setattr__(self, "_read", self._recorder.read(query, params, streamed=True))
        return self

    def __enter__(self) -> _RecordingCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._cursor.close()

    def __iter__(self) -> Iterator[Any]:
        read = self._read
        return iter(self._cursor) if read is None else _taken(read, self._cursor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._cursor, name, value)


def _taken(read: _Read, rows: Iterable[Any]) -> Iterator[Any]:
    """The rows of a streamed read, each taken as the reader takes it."""
    for row in rows:
        yield read.take(row)
    read.exhausted = True


def header(part: str, k: float, withheld: Set[str], schema: str) -> str:
    """What else a verdict rests on: the code, k, the marts withheld, the schema and the part."""
    return f"{code_version()}\n{part}\n{k!r}\n{sorted(withheld)}\n{schema}\n"


def digest(head: str, reads: Iterable[_Read]) -> str:
    """The digest of what the reader saw: every query, how many rows it took and their hash."""
    chained = hashlib.sha256(head.encode())
    for read in reads:
        seen = f"{read.streamed} {read.rows} {read.exhausted} {read.hashed:032x}"
        chained.update(f"{read.text}\n{seen}\n".encode())
    return chained.hexdigest()


def stored_reads(recorder: RecordingConnection) -> list[list[Any]]:
    """The reads as stored with a verdict (audit.disclosure_gate_memo):
    [text, streamed, rows taken, whether that was every row]."""
    return [[read.text, read.streamed, read.rows, read.exhausted] for read in recorder.reads]


def still_passes(conn: psycopg.Connection, head: str, expected: str, reads: Sequence[Sequence[Any]]) -> bool:
    """Whether a stored verdict stands: its queries give the reader the same rows as when it was
    given (read again and hashed; nothing is built or solved). A query that fails tonight (a mart
    not built, say) is a changed read: its error is rolled back to a savepoint, and the audit
    goes on in the same transaction."""
    try:
        with conn.transaction():
            again = _read_again(conn, reads)
    except psycopg.Error:
        return False
    return again is not None and digest(head, again) == expected


def _read_again(conn: psycopg.Connection, reads: Sequence[Sequence[Any]]) -> list[_Read] | None:
    """The stored reads run again; None as soon as one gives another number of rows."""
    again: list[_Read] = []
    for text, streamed, rows, exhausted in reads:
        read = _Read(str(text), bool(streamed))
        if streamed:
            with conn.cursor(name=f"culture_gate_memo_{len(again)}") as cursor:
                cursor.itersize = _ITERSIZE
                cursor.execute(str(text))
                # As many rows as the reader took, and one more when it took them all: a longer
                # result would have been read further.
                for row in itertools.islice(cursor, int(rows) + 1 if exhausted else int(rows)):
                    read.take(row)
                read.exhausted = bool(exhausted)
        else:
            read.take_all(conn.execute(str(text)).fetchall())
        if read.rows != int(rows) or read.exhausted != bool(exhausted):
            return None
        again.append(read)
    return again
