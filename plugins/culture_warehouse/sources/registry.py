"""Every source of the warehouse, in the order a night ingests its landing folder.

The one list of sources: the DAG makes one ingest task per folder of ``FOLDERS``, the pipeline
and the door take their ingestors from here, and the generator writes these folders. A new
source is a package under ``sources/`` that declares a ``SOURCE``, plus one entry in ``SOURCES``.

Importing this module is cheap (contracts and declarations only): the DAG file imports it while
it is parsed. The ingestors, which need the database driver and the document readers, are
imported when ``ingestor()`` makes one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from culture_warehouse.contract import TabularSource
from culture_warehouse.source import Source
from culture_warehouse.sources import apv, hr, minutes, mtu, results

if TYPE_CHECKING:
    from culture_warehouse.ingest import Ingestor

SOURCES: tuple[Source, ...] = (hr.SOURCE, mtu.SOURCE, apv.SOURCE, minutes.SOURCE, results.SOURCE)

FOLDERS = tuple(source.folder for source in SOURCES)
"""Every landing folder, in the order a night ingests them: the largest first (at state scale),
so that the scheduler, running as many at once as there are cores, starts the longest first."""


def source(folder: str) -> Source:
    """The source read from ``folder``; ValueError for a folder no source reads."""
    for candidate in SOURCES:
        if candidate.folder == folder:
            return candidate
    raise ValueError(f"unknown landing folder {folder!r}")


def ingestor(folder: str) -> Ingestor:
    """A new ingestor for ``folder``: the source's own, or the shared one for plain tables."""
    found = source(folder)
    if found.ingestor is not None:
        return found.ingestor()
    from culture_warehouse.tabular_ingest import TabularIngestor  # the database driver: not at DAG parse

    return TabularIngestor(found.folder, found.tables)


def ingestors() -> dict[str, Ingestor]:
    """A new ingestor for every landing folder, in night order."""
    return {folder: ingestor(folder) for folder in FOLDERS}


def tabular_spec(folder: str, file_name: str) -> TabularSource | None:
    """The plain-table contract a file in ``folder`` follows, or None when no pattern matches."""
    tables = source(folder).tables if folder in FOLDERS else ()
    for spec in tables:
        if spec.pattern.fullmatch(file_name):
            return spec
    return None
