"""HR exports (contracts/hr.md): org tree and employee snapshots, absence deltas, events.

Every file is a plain table (``contract.py``), read by the shared ``TabularIngestor``.
"""

from __future__ import annotations

from culture_warehouse.source import Source
from culture_warehouse.sources.hr.contract import HR_SOURCES

SOURCE = Source("hr", HR_SOURCES)
