"""Which delivered file belongs to which source: the landing.md layout in one place."""

from __future__ import annotations

from culture_warehouse.contract import TabularSource
from culture_warehouse.sources.apv.contract import APV_SOURCES
from culture_warehouse.sources.hr.contract import HR_SOURCES
from culture_warehouse.sources.results.contract import RESULTS_SOURCES

TABULAR_SOURCES: dict[str, tuple[TabularSource, ...]] = {
    "hr": HR_SOURCES,
    "apv": APV_SOURCES,
    "results": RESULTS_SOURCES,
}

FOLDERS = ("hr", "mtu", "apv", "minutes", "results")
"""Every landing folder, in the order a night ingests them."""


def tabular_spec(folder: str, file_name: str) -> TabularSource | None:
    """The tabular contract a file in ``folder`` follows, or None when no pattern matches."""
    for spec in TABULAR_SOURCES.get(folder, ()):
        if spec.pattern.fullmatch(file_name):
            return spec
    return None


def all_tabular_specs() -> tuple[TabularSource, ...]:
    return tuple(spec for specs in TABULAR_SOURCES.values() for spec in specs)
