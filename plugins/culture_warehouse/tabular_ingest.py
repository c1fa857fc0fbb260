"""Folders whose files are plain tables: one contract per file type, recognised by file name.

``load_table`` reads one delivered table and COPYs its good rows into the contract's raw table; the
MTU ingestor uses it for a round's catalogue and invitations. A source whose files are all plain
tables (hr, apv, results) declares only its tables and needs no ingestor of its own.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg

from culture_warehouse.contract import TabularSource
from culture_warehouse.ingest import Night, Recognised
from culture_warehouse.landing import LandingFile
from culture_warehouse.load import LoadOutcome, copy_batches, ensure_raw_table, normalised_batches
from culture_warehouse.readers.tabular import exact_if_needed, open_table, read_ahead

log = logging.getLogger(__name__)


class TabularIngestor:
    """Folders whose files are plain tables (hr, apv, results)."""

    def __init__(self, folder: str, tables: tuple[TabularSource, ...]) -> None:
        self.folder = folder
        self.tables = tables

    def spec_for(self, file_name: str) -> TabularSource | None:
        """The contract a file of this folder follows, or None when no pattern matches."""
        for spec in self.tables:
            if spec.pattern.fullmatch(file_name):
                return spec
        return None

    def spec(self, entity: str) -> TabularSource:
        return next(s for s in self.tables if s.entity == entity)

    def ensure_tables(self, conn: psycopg.Connection) -> None:
        for spec in self.tables:
            ensure_raw_table(conn, spec)

    def recognise(self, file: LandingFile) -> Recognised | None:
        spec = self.spec_for(file.name)
        if spec is None:
            return None
        stem = file.name.rsplit(".", 1)[0].lower()
        return Recognised(spec.entity, spec.extract_date(file.name), f"{self.folder}/{stem}")

    def load(
        self, conn: psycopg.Connection, night: Night, file: LandingFile, path: Path, load_id: int
    ) -> LoadOutcome:
        spec = self.spec_for(file.name)
        assert spec is not None
        return load_table(conn, spec, night, path, file.name, load_id)

    def validation_queries(self, entity: str, load_id: int) -> list[tuple[str, str]]:
        spec = self.spec(entity)
        return [(spec.name, f"select * from {spec.raw_table} where _load_id = {int(load_id)}")]

    def group_tables(self, entity: str) -> dict[str, str]:
        spec = self.spec(entity)
        return {spec.name: spec.raw_table}

    def discard(self, conn: psycopg.Connection, entity: str | None, load_id: int) -> None:
        if entity is None:
            return
        spec = self.spec(entity)
        ensure_raw_table(conn, spec)
        conn.execute(f"delete from {spec.raw_table} where _load_id = %s", (load_id,))


def load_table(
    conn: psycopg.Connection,
    spec: TabularSource,
    night: Night,
    path: Path,
    file_name: str,
    load_id: int,
) -> LoadOutcome:
    """Read one delivered table and COPY its good rows into the raw table in one transaction.

    Should the columnar parser's rows not match the byte index (a file whose quoting fooled the
    index), what was written is rolled back and the file is read again by the exact reader.
    """
    return exact_if_needed(lambda exact: _load_table(conn, spec, night, path, file_name, load_id, exact))


def _load_table(
    conn: psycopg.Connection,
    spec: TabularSource,
    night: Night,
    path: Path,
    file_name: str,
    load_id: int,
    exact: bool,
) -> LoadOutcome:
    outcome = LoadOutcome()
    stream = open_table(path, file_name, spec.xlsx_allowed, exact=exact)
    # Three stages side by side: PyArrow parses the next block, Python converts (and hashes) a
    # batch, this thread encodes the one before for COPY, and PostgreSQL stores the one before that.
    batches = read_ahead(normalised_batches(spec, stream, night.pseudonymise, outcome))
    with conn.transaction():
        ensure_raw_table(conn, spec)
        outcome.rows_loaded = copy_batches(conn, spec, load_id, batches)
    return outcome
