"""The fictional organisation: institutions, their 4–5 level unit tree, and how it changes.

Every unit carries a latent `climate` (standard-normal-ish, inherited partly from its parent)
that the other generators read: good climate means trust in surveys, little sickness absence,
low turnover, fewer APV findings and goals met, so results differ visibly between units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from culture_dev.generate.formats import BoolArray, FloatArray, IntArray
from culture_dev.generate.names import (
    DEPARTMENT_SUBJECTS,
    INSTITUTIONS,
    OFFICE_NAMES,
    TEAM_NAMES,
)
from culture_dev.generate.timeline import NEVER, Timeline

EMPLOYEES_PER_UNIT = 19
"""Aim for about one unit per 12–25 employees, as in Danish state institutions."""


@dataclass
class OrgUnit:
    index: int
    code: str
    name: str
    unit_type: str
    parent: int | None
    institution: int
    climate: float
    children: list[int] = field(default_factory=list)
    direct_size: int = 0


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    email_domain: str
    root: int
    employees: int
    """The institution's share of the drop's employees (its people when the tree is grown)."""


@dataclass(frozen=True)
class TreeChange:
    """One change of the tree, effective from `on`: a new name, a new parent, or a closure."""

    unit: int
    on: dt.date
    new_name: str | None = None
    new_parent: int | None = None
    merged_into: int | None = None


@dataclass
class OrgTree:
    institutions: list[Institution]
    units: list[OrgUnit]
    changes: list[TreeChange]
    climate: FloatArray = field(init=False)
    closed_on: IntArray = field(init=False)
    merged_into: IntArray = field(init=False)
    is_leaf: BoolArray = field(init=False)

    def __post_init__(self) -> None:
        count = len(self.units)
        self.climate = np.array([unit.climate for unit in self.units], dtype=np.float64)
        self.closed_on = np.full(count, NEVER, dtype=np.int64)
        self.merged_into = np.arange(count, dtype=np.int64)
        for change in self.changes:
            if change.merged_into is not None:
                self.closed_on[change.unit] = change.on.toordinal()
                self.merged_into[change.unit] = change.merged_into
        self.is_leaf = np.array([not unit.children for unit in self.units], dtype=np.bool_)

    @property
    def codes(self) -> list[str]:
        return [unit.code for unit in self.units]

    def is_open(self, unit: int, day: dt.date) -> bool:
        return bool(day.toordinal() < self.closed_on[unit])

    def name_at(self, unit: int, day: dt.date) -> str:
        name = self.units[unit].name
        for change in self.changes:
            if change.unit == unit and change.new_name is not None and change.on <= day:
                name = change.new_name
        return name

    def parent_at(self, unit: int, day: dt.date) -> int | None:
        parent = self.units[unit].parent
        for change in self.changes:
            if change.unit == unit and change.new_parent is not None and change.on <= day:
                parent = change.new_parent
        return parent

    def change_log(self) -> list[dict[str, str | None]]:
        def code(unit: int | None) -> str | None:
            return None if unit is None else self.units[unit].code

        return [
            {
                "org_unit_code": code(change.unit),
                "on": change.on.isoformat(),
                "renamed_to": change.new_name,
                "moved_to": code(change.new_parent),
                "merged_into": code(change.merged_into),
            }
            for change in self.changes
        ]

    def open_units(self, day: dt.date) -> list[int]:
        return [unit.index for unit in self.units if self.is_open(unit.index, day)]


def institution_count(employees: int) -> int:
    """One institution for a small drop; a ministry group of several at large scale."""
    return 1 if employees < 10_000 else min(len(INSTITUTIONS), 2 + employees // 50_000)


def build_org_tree(rng: np.random.Generator, employees: int, timeline: Timeline) -> OrgTree:
    count = institution_count(employees)
    weights = rng.uniform(0.6, 1.4, count)
    sizes = _split(employees, weights)
    units: list[OrgUnit] = []
    institutions: list[Institution] = []
    for number, size in enumerate(sizes, start=1):
        name, domain = INSTITUTIONS[number - 1]
        code_base = number * (10_000 if size < 100_000 else 100_000)
        root = len(units)
        units.extend(_grow_institution(rng, root, number - 1, name, size, code_base))
        institutions.append(Institution(f"INST{number}", name, domain, root, size))
    _place_people(rng, units, sizes, institutions)
    changes = _plan_changes(rng, units, institutions, timeline)
    return OrgTree(institutions, units, changes)


def _split(total: int, weights: FloatArray) -> list[int]:
    """Integers proportional to the weights that add up to the total (largest remainder)."""
    shares = weights / weights.sum() * total
    floors = np.floor(shares).astype(np.int64)
    remainder = total - int(floors.sum())
    order = np.argsort(-(shares - floors), kind="stable")
    floors[order[:remainder]] += 1
    return [int(value) for value in floors]


def _fan_out(target_units: int, depth: int) -> float:
    """Children per unit so that a tree `depth` levels deep has about `target_units` units."""
    low, high = 1.0, 60.0
    for _ in range(40):
        middle = (low + high) / 2
        if sum(middle**level for level in range(depth)) < target_units:
            low = middle
        else:
            high = middle
    return low


class _Namer:
    """Unit names without repeats among the units it names (a number is added when a pool runs
    dry); one namer per institution for departments and offices, one per office for its teams."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def name(self, pool: tuple[str, ...], pattern: str) -> str:
        start = int(self._rng.integers(len(pool)))
        round_number = len(self._used) // len(pool) + 1
        while True:
            for offset in range(len(pool)):
                base = pattern.format(pool[(start + offset) % len(pool)])
                candidate = base if round_number == 1 else f"{base} {round_number}"
                if candidate not in self._used:
                    self._used.add(candidate)
                    return candidate
            round_number += 1


def _grow_institution(
    rng: np.random.Generator,
    first_index: int,
    institution: int,
    name: str,
    size: int,
    code_base: int,
) -> list[OrgUnit]:
    """Grow the tree, regrowing with a corrected fan-out until the unit count is near target
    (small trees vary a lot from one growth to the next, so the closest growth is kept)."""
    target = max(6, round(size / EMPLOYEES_PER_UNIT))
    # Large institutions get a fifth level (groups inside teams) rather than huge offices.
    depth = 4 if target < 300 else 5
    fan_out = _fan_out(target, depth)
    best: list[OrgUnit] = []
    for _ in range(12):
        units = _grow(rng, first_index, institution, name, code_base, fan_out, depth)
        if not best or abs(len(units) - target) < abs(len(best) - target):
            best = units
        if abs(len(best) / target - 1) < 0.12:
            break
        fan_out *= (target / len(units)) ** (1 / (depth - 1))
    return best


def _grow(
    rng: np.random.Generator,
    first_index: int,
    institution: int,
    name: str,
    code_base: int,
    fan_out: float,
    depth: int,
) -> list[OrgUnit]:
    units: list[OrgUnit] = []
    namer = _Namer(rng)
    sub_team_share = 0.08 if depth == 4 else 0.7

    def add(unit_type: str, unit_name: str, parent: int | None) -> int:
        parent_unit = units[parent - first_index] if parent is not None else None
        parent_climate = parent_unit.climate if parent_unit is not None else 0.0
        spread = 0.3 if parent is None else 0.8
        climate = 0.6 * parent_climate + float(rng.normal(0.0, spread))
        index = first_index + len(units)
        units.append(OrgUnit(index, str(code_base + len(units)), unit_name, unit_type, parent,
                             institution, climate))  # fmt: skip
        if parent_unit is not None:
            parent_unit.children.append(index)
        return index

    def children(minimum: int) -> int:
        return max(minimum, round(fan_out * float(rng.uniform(0.6, 1.4))))

    root = add("institution", name, None)
    for _ in range(children(2)):
        subject = namer.name(DEPARTMENT_SUBJECTS, "{}")
        department_name = f"{'Center' if rng.random() < 0.4 else 'Afdeling'} for {subject}"
        department = add("afdeling", department_name, root)
        for _ in range(children(2)):
            office = add("kontor", namer.name(OFFICE_NAMES, "{}"), department)
            if rng.random() < 0.15:
                continue
            team_namer = _Namer(rng)
            for _ in range(children(1)):
                team = add("team", team_namer.name(TEAM_NAMES, "Team {}"), office)
                if rng.random() < sub_team_share:
                    group_count = children(2) if depth == 5 else int(rng.integers(2, 4))
                    for _ in range(group_count):
                        add("team", team_namer.name(TEAM_NAMES, "Gruppe {}"), team)
    return units


_DIRECT_STAFF = {"institution": (4, 10), "afdeling": (2, 5), "kontor": (1, 4), "team": (1, 3)}
"""Direct members of an inner unit (its manager and a few staff); leaves hold everybody else."""


def _place_people(
    rng: np.random.Generator,
    units: list[OrgUnit],
    sizes: list[int],
    institutions: list[Institution],
) -> None:
    for institution, size in zip(institutions, sizes, strict=True):
        members = [unit for unit in units if _root_of(units, unit) == institution.root]
        inner = [unit for unit in members if unit.children]
        leaves = [unit for unit in members if not unit.children]
        for unit in inner:
            low, high = _DIRECT_STAFF[unit.unit_type]
            unit.direct_size = int(rng.integers(low, high))
        remaining = max(len(leaves) * 3, size - sum(unit.direct_size for unit in inner))
        weights = rng.gamma(6.0, 1.0, len(leaves))
        for unit, share in zip(leaves, _split(remaining - 3 * len(leaves), weights), strict=True):
            unit.direct_size = 3 + share


def _root_of(units: list[OrgUnit], unit: OrgUnit) -> int:
    while unit.parent is not None:
        unit = units[unit.parent]
    return unit.index


def _plan_changes(
    rng: np.random.Generator,
    units: list[OrgUnit],
    institutions: list[Institution],
    timeline: Timeline,
) -> list[TreeChange]:
    """Per institution: an office renamed, an office moved to another department, a team closed
    and merged into a sibling; each between two snapshots so that a later snapshot shows it."""
    snapshots = timeline.snapshots
    rename_on = snapshots[3] + dt.timedelta(days=20)
    move_on = snapshots[6] + dt.timedelta(days=10)
    close_on = snapshots[8] + dt.timedelta(days=30)
    changes: list[TreeChange] = []
    for institution in institutions:
        members = [u for u in units if _root_of(units, u) == institution.root]
        offices = [u for u in members if u.unit_type == "kontor"]
        departments = [u for u in members if u.unit_type == "afdeling"]
        renamed = offices[int(rng.integers(len(offices)))]
        changes.append(TreeChange(renamed.index, rename_on, new_name=_renamed(renamed.name)))
        movable = [u for u in offices if u is not renamed]
        if movable and len(departments) > 1:
            moved = movable[int(rng.integers(len(movable)))]
            targets = [d for d in departments if d.index != moved.parent]
            new_parent = targets[int(rng.integers(len(targets)))]
            changes.append(TreeChange(moved.index, move_on, new_parent=new_parent.index))
        closable = [
            u
            for u in members
            if not u.children and u.unit_type == "team" and u.parent is not None
            and sum(not units[s].children for s in units[u.parent].children) > 1
        ]  # fmt: skip
        if closable:
            closed = closable[int(rng.integers(len(closable)))]
            assert closed.parent is not None
            sibling = next(
                s for s in units[closed.parent].children if s != closed.index and not units[s].children
            )
            changes.append(TreeChange(closed.index, close_on, merged_into=sibling))
    return changes


def _renamed(name: str) -> str:
    if name.startswith("Kontor for "):
        return f"Center for {name.removeprefix('Kontor for ')} og Udvikling"
    return f"{name} og Koordination"
