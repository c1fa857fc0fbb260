"""APV register snapshots (contracts/apv-minutes-results.md).

Every file is a plain table (``contract.py``), read by the shared ``TabularIngestor``.
"""

from __future__ import annotations

from culture_warehouse.source import Source
from culture_warehouse.sources.apv.contract import APV_SOURCES

SOURCE = Source("apv", APV_SOURCES)
