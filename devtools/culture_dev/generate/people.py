"""The staff over time: employment spells with hires, moves, part time, terminations, rehires.

Everything is held as NumPy columns, one row per *spell* (one employment of one person), so that a
snapshot of 200,000 people is a few vector operations. Each unit has positions; when a person
leaves, the position is filled again after a few weeks, so headcount stays near its target while
turnover follows the unit's climate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from culture_dev.generate.formats import (
    BoolArray,
    FloatArray,
    IntArray,
    ObjectArray,
    object_array,
)
from culture_dev.generate.names import (
    FEMALE_FIRST_NAMES,
    JOB_TITLES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    MANAGER_TITLES,
    MULTILINE_JOB_TITLE,
    ascii_fold,
)
from culture_dev.generate.orgtree import OrgTree
from culture_dev.generate.timeline import EPOCH_ORDINAL, NEVER, Timeline

TERMINATION_REASONS = ("egen opsigelse", "afsked", "pension", "udløb", "død", "andet")
VOLUNTARY, DISMISSAL, PENSION, EXPIRY, DEATH, OTHER = range(6)
EMPLOYMENT_TYPES = ("fastansat", "tidsbegrænset", "elev", "timelønnet")
PERMANENT, FIXED_TERM, TRAINEE = range(3)
JOB_FAMILIES = ("AC", "HK", "IT", "Teknik", "Leder")
MANAGER_FAMILY = 4
GENDERS = ("K", "M", "F", "X", "")
FTE_LEVELS = np.array([1.0, 0.9, 0.8, 0.75, 0.6, 0.5])
FTE_WEIGHTS = np.array([0.72, 0.06, 0.08, 0.04, 0.04, 0.06])

_Columns = dict[str, npt.NDArray[Any]]
_YEAR = 365.25


@dataclass
class Population:
    """Spell columns (indexed by spell) and person columns (indexed by person)."""

    tree: OrgTree
    person: IntArray
    unit0: IntArray
    move_on: IntArray
    unit1: IntArray
    hire: IntArray
    term: IntArray
    notice: IntArray
    reason: IntArray
    fte0: FloatArray
    fte_change_on: IntArray
    fte1: FloatArray
    is_manager: BoolArray
    employment_type: IntArray
    job_family: IntArray
    job_title: ObjectArray
    superseded_on: IntArray
    numbers: ObjectArray
    cprs: ObjectArray
    first_names: ObjectArray
    last_names: ObjectArray
    emails: ObjectArray
    phones: ObjectArray
    genders: ObjectArray
    birth_year: IntArray
    listing_order: IntArray

    @property
    def spell_count(self) -> int:
        return int(self.person.size)

    def base_unit_at(self, spells: IntArray, day: int) -> IntArray:
        moved = self.move_on[spells] <= day
        units: IntArray = np.where(moved, self.unit1[spells], self.unit0[spells])
        return units

    def unit_at(self, spells: IntArray, day: int) -> IntArray:
        """The unit of each spell on a day; people employed when their unit closed follow it into
        the unit it merged with, former employees keep the code they left with."""
        base = self.base_unit_at(spells, day)
        closing = self.tree.closed_on[base]
        merged = (closing <= day) & (self.term[spells] >= closing)
        units: IntArray = np.where(merged, self.tree.merged_into[base], base)
        return units

    def manages_at(self, spells: IntArray, day: int) -> BoolArray:
        """A manager whose unit was merged away is no longer a manager."""
        same = self.unit_at(spells, day) == self.base_unit_at(spells, day)
        managing: BoolArray = self.is_manager[spells] & same
        return managing

    def fte_at(self, spells: IntArray, day: int) -> FloatArray:
        changed = self.fte_change_on[spells] <= day
        fte: FloatArray = np.where(changed, self.fte1[spells], self.fte0[spells])
        return fte

    def active_on(self, day: int) -> IntArray:
        active: IntArray = np.flatnonzero((self.hire <= day) & (self.term >= day))
        return active

    def active_during(self, first: int, last: int) -> IntArray:
        active: IntArray = np.flatnonzero((self.hire <= last) & (self.term >= first))
        return active

    def listed_on(self, day: int) -> IntArray:
        """Spells that a full snapshot on `day` lists, ordered by employee number: everybody hired
        by then, each person once (a rehire replaces the earlier employment)."""
        order = self.listing_order
        shown = (self.hire[order] <= day) & (self.superseded_on[order] > day)
        listed: IntArray = order[shown]
        return listed


def build_population(rng: np.random.Generator, tree: OrgTree, timeline: Timeline) -> Population:
    spells = _SpellBuilder(rng, tree, timeline).build()
    return _with_people(rng, tree, spells)


def ordinal_years(ordinals: IntArray) -> IntArray:
    years: IntArray = (ordinals - EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[Y]").astype(
        np.int64
    ) + 1970
    return years


class _SpellBuilder:
    def __init__(self, rng: np.random.Generator, tree: OrgTree, timeline: Timeline) -> None:
        self.rng = rng
        self.tree = tree
        self.start = timeline.history_start.toordinal()
        self.last = timeline.last_snapshot.toordinal()
        self.columns: dict[str, list[npt.NDArray[Any]]] = {}

    def build(self) -> _Columns:
        sizes = np.array([unit.direct_size for unit in self.tree.units], dtype=np.int64)
        position_unit = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
        first_of_unit = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        is_manager = np.zeros(position_unit.size, dtype=np.bool_)
        is_manager[first_of_unit[sizes > 0]] = True
        self._initial_staff(position_unit, is_manager)
        self._former_staff(max(1, position_unit.size // 25))
        merged = {name: np.concatenate(parts) for name, parts in self.columns.items()}
        self._add_moves(merged)
        self._add_fte(merged)
        return merged

    def _append(self, **columns: npt.NDArray[Any]) -> None:
        for name, values in columns.items():
            self.columns.setdefault(name, []).append(values)

    def _initial_staff(self, unit: IntArray, is_manager: BoolArray) -> None:
        rng = self.rng
        count = unit.size
        age_now = np.where(is_manager, rng.uniform(35, 62, count), rng.uniform(23, 65, count))
        tenure = np.minimum(rng.exponential(8 * _YEAR, count), (age_now - 21) * _YEAR)
        hire = self.start - 1 - tenure.astype(np.int64)
        age = age_now - tenure / _YEAR
        while unit.size:
            term = self._employ(unit, is_manager, hire, age)
            lag = rng.integers(14, 121, unit.size)
            refill = (term != NEVER) & (term + lag <= self.last)
            unit, is_manager = unit[refill], is_manager[refill]
            hire = term[refill] + lag[refill]
            age = np.where(is_manager, rng.uniform(35, 58, unit.size), rng.uniform(22, 58, unit.size))

    def _employ(self, unit: IntArray, is_manager: BoolArray, hire: IntArray, age: FloatArray) -> IntArray:
        """Record one generation of spells (`age` is the age at hire) and decide when each ends,
        and why."""
        rng = self.rng
        count = unit.size
        kind = rng.choice(4, count, p=[0.86, 0.07, 0.02, 0.05])
        kind = np.where(is_manager, PERMANENT, kind)
        birth = hire - (age * _YEAR).astype(np.int64)
        hazard = 0.08 * np.exp(-0.45 * self.tree.climate[unit]) * np.where(is_manager, 0.7, 1.0)
        begin = np.maximum(hire, self.start)
        leaves = begin + np.ceil(rng.exponential(_YEAR / hazard)).astype(np.int64)
        contract_end = hire + rng.integers(365, 1500, count)
        temporary = (kind == FIXED_TERM) | (kind == TRAINEE)
        leaves = np.where(temporary, np.minimum(leaves, contract_end), leaves)
        retires = birth + (rng.uniform(62, 70, count) * _YEAR).astype(np.int64)
        term = np.maximum(np.minimum(leaves, retires), hire + 30)
        reason = rng.choice(
            [VOLUNTARY, DISMISSAL, OTHER, EXPIRY, DEATH], count, p=[0.74, 0.11, 0.10, 0.04, 0.01]
        )
        reason = np.where(temporary & (term == contract_end), EXPIRY, reason)
        reason = np.where(term == retires, PENSION, reason)
        warning = np.select(
            [reason == VOLUNTARY, reason == PENSION, reason == EXPIRY],
            [rng.integers(20, 91, count), rng.integers(60, 121, count), rng.integers(30, 91, count)],
            rng.integers(0, 11, count),
        )
        staying = term > self.last + 90
        term = np.where(staying, NEVER, term)
        self._append(
            unit0=unit,
            is_manager=is_manager,
            hire=hire,
            term=term,
            reason=np.where(staying, -1, reason),
            notice=np.where(staying, NEVER, np.maximum(term - warning, hire)),
            employment_type=kind,
            birth=birth,
        )
        return term

    def _former_staff(self, count: int) -> None:
        """People who left before the history starts: every full snapshot still lists them."""
        rng = self.rng
        leaves = np.flatnonzero(self.tree.is_leaf & (self.tree.closed_on == NEVER))
        hire = self.start - rng.integers(2 * 365, 15 * 365, count)
        term = np.minimum(hire + rng.integers(100, 8 * 365, count), self.start - 30)
        reason = rng.choice(
            [VOLUNTARY, DISMISSAL, PENSION, EXPIRY, OTHER], count, p=[0.7, 0.08, 0.1, 0.07, 0.05]
        )
        self._append(
            unit0=rng.choice(leaves, count),
            is_manager=np.zeros(count, dtype=np.bool_),
            hire=hire,
            term=term,
            reason=reason,
            notice=term - rng.integers(0, 60, count),
            employment_type=rng.choice(4, count, p=[0.8, 0.14, 0.03, 0.03]),
            birth=hire - (rng.uniform(22, 55, count) * _YEAR).astype(np.int64),
        )

    def _add_moves(self, spells: _Columns) -> None:
        """About one in ten staff move to another leaf unit of their institution once."""
        rng = self.rng
        unit0 = spells["unit0"].astype(np.int64)
        count = unit0.size
        earliest = np.maximum(spells["hire"], self.start) + 60
        latest = np.minimum(spells["term"], self.last) - 30
        movable = (~spells["is_manager"].astype(np.bool_)) & (latest > earliest)
        moving = movable & (rng.random(count) < 0.12)
        span = np.maximum(latest - earliest, 1)
        move_on = np.where(moving, earliest + (rng.random(count) * span).astype(np.int64), NEVER)
        unit1 = unit0.copy()
        institution = np.array([u.institution for u in self.tree.units], dtype=np.int64)
        targets_ok = self.tree.is_leaf & (self.tree.closed_on == NEVER)
        for number in range(len(self.tree.institutions)):
            leaves = np.flatnonzero(targets_ok & (institution == number))
            chosen = np.flatnonzero(moving & (institution[unit0] == number))
            if leaves.size < 2 or chosen.size == 0:
                move_on[chosen] = NEVER
                continue
            target = leaves[rng.integers(0, leaves.size, chosen.size)]
            same = target == unit0[chosen]
            target[same] = leaves[(np.searchsorted(leaves, target[same]) + 1) % leaves.size]
            unit1[chosen] = target
        spells["move_on"] = move_on
        spells["unit1"] = unit1

    def _add_fte(self, spells: _Columns) -> None:
        rng = self.rng
        count = spells["unit0"].size
        managers = spells["is_manager"].astype(np.bool_)
        fte0 = np.where(managers, 1.0, rng.choice(FTE_LEVELS, count, p=FTE_WEIGHTS))
        earliest = np.maximum(spells["hire"], self.start) + 30
        latest = np.minimum(spells["term"], self.last)
        changing = (~managers) & (latest > earliest) & (rng.random(count) < 0.06)
        span = np.maximum(latest - earliest, 1)
        spells["fte0"] = fte0
        spells["fte1"] = np.where(changing, rng.choice(FTE_LEVELS, count, p=FTE_WEIGHTS), fte0)
        spells["fte_change_on"] = np.where(
            changing, earliest + (rng.random(count) * span).astype(np.int64), NEVER
        )


def _with_people(rng: np.random.Generator, tree: OrgTree, spells: _Columns) -> Population:
    hire = spells["hire"].astype(np.int64)
    term = spells["term"].astype(np.int64)
    is_manager = spells["is_manager"].astype(np.bool_)
    unit0 = spells["unit0"].astype(np.int64)
    count = hire.size
    person, superseded_on = _rehire(rng, hire, term, spells["reason"].astype(np.int64))
    # Employee numbers follow the order people were first hired, as HR systems hand them out.
    first_spells = np.flatnonzero(person == np.arange(count))
    by_hire = first_spells[np.argsort(hire[first_spells], kind="stable")]
    rank = np.empty(count, dtype=np.int64)
    rank[by_hire] = np.arange(by_hire.size)
    person = rank[person]
    people = by_hire.size
    birth = spells["birth"].astype(np.int64)[by_hire]
    genders = rng.choice(len(GENDERS), people, p=[0.515, 0.455, 0.01, 0.005, 0.015])
    first, last = _names(rng, genders)
    institution = np.array([tree.units[u].institution for u in unit0[by_hire].tolist()])
    domains = [tree.institutions[i].email_domain for i in institution.tolist()]
    family = np.where(is_manager, MANAGER_FAMILY, rng.choice(4, count, p=[0.45, 0.25, 0.17, 0.13]))
    return Population(
        tree=tree,
        person=person,
        unit0=unit0,
        move_on=spells["move_on"].astype(np.int64),
        unit1=spells["unit1"].astype(np.int64),
        hire=hire,
        term=term,
        notice=spells["notice"].astype(np.int64),
        reason=spells["reason"].astype(np.int64),
        fte0=spells["fte0"].astype(np.float64),
        fte_change_on=spells["fte_change_on"].astype(np.int64),
        fte1=spells["fte1"].astype(np.float64),
        is_manager=is_manager,
        employment_type=spells["employment_type"].astype(np.int64),
        job_family=family,
        job_title=_job_titles(rng, tree, family, unit0),
        superseded_on=superseded_on,
        numbers=object_array(str(100_001 + n) for n in range(people)),
        cprs=_cpr_numbers(rng, birth),
        first_names=first,
        last_names=last,
        emails=object_array(
            f"{ascii_fold(f)}.{ascii_fold(s)}{n % 97}@{domain}"
            for n, (f, s, domain) in enumerate(zip(first.tolist(), last.tolist(), domains, strict=True))
        ),
        phones=object_array(
            f"+45 {n // 10_000:04d} {n % 10_000:04d}"
            for n in rng.integers(20_000_000, 99_999_999, people).tolist()
        ),
        genders=object_array(GENDERS)[genders],
        birth_year=ordinal_years(birth),
        listing_order=np.lexsort((hire, person)),
    )


def _names(rng: np.random.Generator, genders: IntArray) -> tuple[ObjectArray, ObjectArray]:
    """First names by gender (either for X and blank); common surnames weigh more, and a few
    people carry a double surname."""
    people = genders.size
    female = (genders == 0) | (genders == 2) | ((genders > 2) & (rng.random(people) < 0.5))
    first: ObjectArray = np.where(
        female,
        object_array(FEMALE_FIRST_NAMES)[rng.integers(0, len(FEMALE_FIRST_NAMES), people)],
        object_array(MALE_FIRST_NAMES)[rng.integers(0, len(MALE_FIRST_NAMES), people)],
    )
    weights = np.array([4.0 if i < 20 else 1.0 for i in range(len(LAST_NAMES))])
    surnames = object_array(LAST_NAMES)
    last = surnames[rng.choice(len(LAST_NAMES), people, p=weights / weights.sum())]
    double = np.flatnonzero(rng.random(people) < 0.03)
    second = surnames[rng.integers(0, len(LAST_NAMES), double.size)]
    last[double] = [f"{a}-{b}" for a, b in zip(last[double].tolist(), second.tolist(), strict=True)]
    return first, last


def _job_titles(rng: np.random.Generator, tree: OrgTree, family: IntArray, unit: IntArray) -> ObjectArray:
    """Titles of the job family; managers by the level they lead. A few titles were typed with a
    line break in the HR system, which exports them as a quoted multi-line field."""
    titles = np.empty(family.size, dtype=object)
    draw = rng.integers(0, 1000, family.size)
    for code, name in enumerate(JOB_FAMILIES[:MANAGER_FAMILY]):
        options = object_array(JOB_TITLES[name])
        chosen = np.flatnonzero(family == code)
        titles[chosen] = options[draw[chosen] % options.size]
    managers = np.flatnonzero(family == MANAGER_FAMILY)
    titles[managers] = [MANAGER_TITLES[tree.units[u].unit_type] for u in unit[managers].tolist()]
    staff = np.flatnonzero(family != MANAGER_FAMILY)
    titles[staff[:: max(1, staff.size // 3)]] = MULTILINE_JOB_TITLE
    return titles


def _rehire(
    rng: np.random.Generator, hire: IntArray, term: IntArray, reason: IntArray
) -> tuple[IntArray, IntArray]:
    """Let about 3 % of hires be a former employee coming back under the old employee number.

    Returns each spell's person (the index of that person's first spell) and the day a spell is
    replaced in snapshots by the person's later employment.
    """
    count = hire.size
    person = np.arange(count, dtype=np.int64)
    superseded_on = np.full(count, NEVER, dtype=np.int64)
    may_return = (term != NEVER) & np.isin(reason, [VOLUNTARY, EXPIRY, OTHER])
    candidates = np.flatnonzero(may_return)
    candidates = candidates[np.argsort(term[candidates], kind="stable")]
    new_hires = np.flatnonzero(rng.random(count) < 0.03)
    new_hires = new_hires[np.argsort(hire[new_hires], kind="stable")]
    pool: list[int] = []
    next_candidate = 0
    for spell in new_hires.tolist():
        while next_candidate < candidates.size and term[candidates[next_candidate]] + 60 <= hire[spell]:
            pool.append(int(candidates[next_candidate]))
            next_candidate += 1
        while pool:
            slot = int(rng.integers(len(pool)))
            pool[slot], pool[-1] = pool[-1], pool[slot]
            candidate = pool.pop()
            if person[candidate] == candidate and superseded_on[candidate] == NEVER:
                person[spell] = candidate
                superseded_on[candidate] = hire[spell]
                break
    return person, superseded_on


def _cpr_numbers(rng: np.random.Generator, birth: IntArray) -> ObjectArray:
    """CPR numbers for the birth dates: DDMMYY, a century digit, two digits and a check digit
    that passes modulus 11, except for a few (numbers issued since 2007 need not pass)."""
    count = birth.size
    dates = (birth - EPOCH_ORDINAL).astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    short_year = years % 100
    century = np.where(years < 2000, rng.integers(0, 4, count), 4)
    serial = rng.integers(0, 100, count)
    weights = (4, 3, 2, 7, 6, 5)
    digits = (days // 10, days % 10, months // 10, months % 10, short_year // 10, short_year % 10)
    date_sum = sum(w * d for w, d in zip(weights, digits, strict=True))
    check = np.full(count, 10, dtype=np.int64)
    for _ in range(100):
        pending = check == 10
        if not pending.any():
            break
        serial = np.where(pending, (serial + 1) % 100, serial)
        total = date_sum + 4 * century + 3 * (serial // 10) + 2 * (serial % 10)
        check = np.where(pending, (-total) % 11, check)
    failing = rng.random(count) < 0.04
    check = np.where(failing, (check + 1 + rng.integers(0, 9, count)) % 10, check)
    date_part = days * 10_000 + months * 100 + short_year
    serial_part = century * 1000 + serial * 10 + check
    hyphen = rng.random(count) < 0.55
    return object_array(
        f"{d:06d}-{s:04d}" if h else f"{d:06d}{s:04d}"
        for d, s, h in zip(date_part.tolist(), serial_part.tolist(), hyphen.tolist(), strict=True)
    )
