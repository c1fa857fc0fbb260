"""Goals and results plans (mål- og resultatplan), replaced per year.

Every file is a plain table (``contract.py``), read by the shared ``TabularIngestor``.
"""

from __future__ import annotations

from culture_warehouse.source import Source
from culture_warehouse.sources.results.contract import RESULTS_SOURCES

SOURCE = Source("results", RESULTS_SOURCES)
