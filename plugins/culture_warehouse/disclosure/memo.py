"""The disclosure control's memory: a family exactly as it was last night gets last night's answer.

Protecting a family (``control.protect_family``) is a deterministic search over its structure:
the same cells, sizes, shown flags, constraints and secrets, read in the same order by the same
code, always give the same suppressions. So each night records, per family, a digest of what
was protected and which cells were suppressed (``audit.disclosure_memo``: marts and keys of
cells, never a figure), and a family whose digest is unchanged re-applies those suppressions
instead of searching again. Most families of an incremental night are unchanged: closed survey
rounds are rebuilt to the same rows.

The re-applied suppressions are then audited like any others (``control.protect`` audits every
family after protecting it), and the search runs after all if a leak remains: the memory can
save time, never decide what is safe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from functools import cache
from pathlib import Path

from culture_warehouse.disclosure.model import Cell, Family

CellKey = tuple[str, str]  # (mart, repr of the cell's key)


@cache
def code_version() -> str:
    """A hash of the disclosure control's own source: another search is another answer."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def family_digest(family: Family) -> str:
    """Everything ``protect_family`` reads of the family, in order (sets sorted), hashed."""
    digest = hashlib.sha256(f"{code_version()}\n{family.name}\n".encode())

    def add(*parts: object) -> None:
        digest.update(repr(parts).encode())
        digest.update(b"\n")

    add(family.k, family.tries, family.lean, family.headline_identities, sorted(family.withheld))
    add(sorted(map(repr, family.empty)))
    add(list(map(repr, family._variables)))  # names in the order of their numbers
    add(sorted(family.known), sorted(family.known_cells.items()))
    for cell in family.cells:
        add(cell.mart, cell.key, cell.terms, cell.size, cell.column, cell.shown, cell.fine)
    add(family.constraints)
    for secret in family.secrets:
        add(secret.kind, secret.key, secret.terms, secret.size, secret.column)
    for variant in family.variants:
        add(variant.name, variant.shown, variant.headline, variant.zeros, variant.identities)
    return digest.hexdigest()


def cell_key(cell: Cell) -> CellKey:
    return (cell.mart, repr(cell.key))


def recalled_cells(family: Family, suppressed: Sequence[CellKey]) -> list[Cell] | None:
    """The family's cells named by a remembered answer, or None when one is not there (then the
    answer does not fit this family and the search runs)."""
    by_key: dict[CellKey, Cell] = {cell_key(cell): cell for cell in family.cells if cell.shown}
    cells = [by_key.get((str(mart), str(key))) for mart, key in suppressed]
    if any(cell is None for cell in cells):
        return None
    return [cell for cell in cells if cell is not None]


def keys_of(cells: Sequence[Cell]) -> list[list[Hashable]]:
    return [list(cell_key(cell)) for cell in cells]
