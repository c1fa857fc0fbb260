"""The disclosure control's memory: a family read from the same rows as last night gets last
night's answer without being built.

Building a family (disclosure/families.py) and searching it (``control.protect_family``) are
deterministic: the same rows read in the same order, by the same code, with the same ``k``, give
the same family and the same suppressions. So the reader hashes each family's *inputs* (the
rows it was about to build the family from, ``Inputs``) before building it, and each night
records per family that digest, the keys of the cells it suppressed (marts and keys, never a
figure) and the family's audit counts (``audit.disclosure_memo``). A family whose inputs hash to
the same digest is not built: its remembered suppressions are applied by key. At state scale
building the families is most of the control's time, and most families of an incremental night
are unchanged (closed survey rounds are rebuilt to the same rows).

Only an answer that left no group determined is remembered. The memory saves time and never
decides what is safe: the publish gate (``control.audit``) reads and audits every family from
the marts about to be published, recalled or not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CellKey = tuple[str, tuple[Hashable, ...]]  # (mart, the cell's key)
_CHUNK = 4096


@cache
def code_version() -> str:
    """A hash of the disclosure control's own source: another search is another answer."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class Inputs:
    """A digest of what a family is built from, fed part by part in reading order.

    Large parts (millions of counts at state scale) are hashed in chunks, never as one string.
    """

    def __init__(self, name: str, k: float, lean: bool, withheld: Iterable[str]) -> None:
        header = f"{code_version()}\n{name}\n{k!r}\n{lean}\n{sorted(withheld)}\n"
        self._digest = hashlib.sha256(header.encode())

    def add(self, *parts: object) -> Inputs:
        """Small parts, by their repr."""
        self._digest.update(repr(parts).encode())
        self._digest.update(b"\n")
        return self

    def add_rows(self, rows: Iterable[object]) -> Inputs:
        """A long sequence, in its order."""
        iterator = iter(rows)
        while chunk := list(itertools.islice(iterator, _CHUNK)):
            self._digest.update(repr(chunk).encode())
        self._digest.update(b"\n")
        return self

    def add_mapping(self, mapping: Mapping[Any, Any]) -> Inputs:
        """A mapping, in its order (the order it was read in, which the family's numbering follows)."""
        return self.add_rows(mapping.items())

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


@dataclass(frozen=True)
class Remembered:
    """What the memory holds for one family."""

    inputs: str  # Inputs.hexdigest() of the night that searched it
    suppressed: list[CellKey]
    published_cells: int
    secrets: int
    cells_by_mart: dict[str, int]
    searched_in: str = ""  # the run whose search gave the answer (empty: tonight's)


Recall = Mapping[str, Remembered]


def recalled(memory: Recall, name: str, inputs: str) -> list[CellKey] | None:
    """The remembered suppressions of a family whose inputs are unchanged, else None."""
    found = memory.get(name)
    return found.suppressed if found is not None and found.inputs == inputs else None


def to_json(keys: Sequence[CellKey]) -> list[list[Any]]:
    """Cell keys as JSON (a date as its ISO text, which the suppressing SQL casts back)."""
    return [[mart, [v.isoformat() if isinstance(v, dt.date) else v for v in key]] for mart, key in keys]


def from_json(stored: Sequence[Sequence[Any]]) -> list[CellKey]:
    return [(str(mart), tuple(key)) for mart, key in stored]
