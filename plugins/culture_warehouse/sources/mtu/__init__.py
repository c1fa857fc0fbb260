"""MTU survey rounds (contracts/mtu.md): the question catalogue, invitations and wide responses.

``contract.py`` holds the round's file types and raw tables; ``ingestor.py`` reads a round (the
catalogue and invitations as plain tables, the wide responses checked against the catalogue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from culture_warehouse.source import Source
from culture_warehouse.sources.mtu.contract import FOLDER

if TYPE_CHECKING:
    from culture_warehouse.ingest import Ingestor


def ingestor() -> Ingestor:
    # Imported when a night reads the folder: the DAG file reads SOURCE without the database driver.
    from culture_warehouse.sources.mtu.ingestor import MtuIngestor

    return MtuIngestor()


SOURCE = Source(FOLDER, ingestor=ingestor)
