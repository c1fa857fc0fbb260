"""SU, MED and AMU minutes: one delivered document becomes one meeting of name-free records.

``contract.py`` holds the raw tables; ``parser.py`` reads a document (with the topic taxonomy of
``topics.py``); ``ingestor.py`` writes the meeting to the raw tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from culture_warehouse.source import Source
from culture_warehouse.sources.minutes.contract import FOLDER

if TYPE_CHECKING:
    from culture_warehouse.ingest import Ingestor


def ingestor() -> Ingestor:
    # Imported when a night reads the folder: the DAG file reads SOURCE without the document readers.
    from culture_warehouse.sources.minutes.ingestor import MinutesIngestor

    return MinutesIngestor()


SOURCE = Source(FOLDER, ingestor=ingestor)
