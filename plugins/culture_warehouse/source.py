"""What a source declares: its landing folder, its plain tables and how its ingestor is made.

Each ``sources/<name>/`` package declares one ``Source`` and ``sources/registry.py`` lists them.
This module stays light (no database driver, no document readers), so that the DAG file, which
reads the folder list from the registry, parses in well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from culture_warehouse.contract import TabularSource

if TYPE_CHECKING:
    from culture_warehouse.ingest import Ingestor


@dataclass(frozen=True)
class Source:
    """One landing folder and everything that reads it."""

    folder: str
    tables: tuple[TabularSource, ...] = ()
    """The plain tables the folder's files are, each recognised by its contract's file pattern
    (empty when the files are not plain tables, as MTU responses and minutes documents are not)."""
    ingestor: Callable[[], Ingestor] | None = None
    """Makes the folder's own ingestor (a new one per stage, so nothing it caches outlives a night);
    None: the files are the plain ``tables``, read by the shared ``TabularIngestor``."""
