"""hr/mus_, competence_, mobility_ and performance_YYYYMMDD: yearly event extracts.

Each extract holds the events dated since the previous one, plus a few events of the previous
extract delivered again with a changed value: a re-delivered id is a correction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from culture_dev.generate.formats import (
    BoolArray,
    CsvTable,
    Dialect,
    DialectCycle,
    IntArray,
    format_dates,
    format_decimals,
    format_ints,
    object_array,
    pick,
)
from culture_dev.generate.names import COMPETENCE_TITLES, EXTERNAL_INSTITUTIONS
from culture_dev.generate.people import Population
from culture_dev.generate.timeline import NEVER

Columns = dict[str, npt.NDArray[Any]]
CORRECTED_SHARE = 0.005

MUS_COLUMNS = ("dialogue_id", "employee_number", "dialogue_type", "held_on")
COMPETENCE_COLUMNS = (
    "activity_id", "employee_number", "activity_type", "title", "hours", "cost_dkk", "completed_on",
)  # fmt: skip
MOBILITY_COLUMNS = (
    "mobility_id", "employee_number", "mobility_type", "from_org_unit_code", "to_org_unit_code",
    "from_institution_code", "to_institution_code", "start_date", "end_date",
)  # fmt: skip
PERFORMANCE_COLUMNS = ("review_id", "employee_number", "period", "rating", "reviewed_on")

DIALOGUE_TYPES = ("MUS", "LUS", "GRUS")
ACTIVITY_TYPES = ("kursus", "uddannelse", "konference", "sidemandsoplæring")
ACTIVITY_HOURS = (
    (3.5, 7.0, 7.4, 14.0, 15.0, 22.5),
    (37.0, 74.0, 111.0, 150.0),
    (7.0, 7.5, 14.0),
    (2.0, 3.5, 7.0, 10.5),
)
ACTIVITY_RATE = ((250.0, 900.0), (150.0, 400.0), (200.0, 450.0), (0.0, 0.0))
MOBILITY_TYPES = ("udlån", "indlån", "intern overflytning")
LOAN, BORROWING, TRANSFER = range(3)


@dataclass(frozen=True)
class _Window:
    after: int
    until: int
    year: int


def write_event_extracts(
    hr: Path,
    population: Population,
    extracts: tuple[dt.date, ...],
    dialects: DialectCycle,
    rng: np.random.Generator,
) -> dict[str, int]:
    kinds: tuple[tuple[str, tuple[str, ...], _Generator, _Corrector, _Renderer], ...] = (
        ("mus", MUS_COLUMNS, _dialogues, _correct_dialogues, _render_dialogues),
        ("competence", COMPETENCE_COLUMNS, _activities, _correct_activities, _render_activities),
        ("mobility", MOBILITY_COLUMNS, _mobility, _correct_mobility, _render_mobility),
        ("performance", PERFORMANCE_COLUMNS, _reviews, _correct_reviews, _render_reviews),
    )
    written: dict[str, int] = {}
    for prefix, columns, generate, correct, render in kinds:
        previous: Columns | None = None
        next_id = 1
        after = dt.date(extracts[0].year, 1, 1).toordinal() - 1
        for extract in extracts:
            window = _Window(after, extract.toordinal(), extract.year)
            batch = generate(rng, population, window)
            count = batch["spell"].size
            batch["ident"] = np.arange(next_id, next_id + count, dtype=np.int64)
            next_id += count
            if previous is not None:
                chosen = np.flatnonzero(rng.random(previous["ident"].size) < CORRECTED_SHARE)
                fixes = correct(rng, {k: v[chosen] for k, v in previous.items()})
                batch = {k: np.concatenate([batch[k], fixes[k]]) for k in batch}
            name = f"{prefix}_{extract:%Y%m%d}.csv"
            dialect = dialects.next()
            with CsvTable(hr / name, columns, dialect) as table:
                table.write(render(batch, population, dialect))
                written[f"hr/{name}"] = table.rows
            previous = batch
            after = window.until
    return written


_Generator = Callable[[np.random.Generator, Population, _Window], Columns]
_Corrector = Callable[[np.random.Generator, Columns], Columns]
_Renderer = Callable[[Columns, Population, Dialect], dict[str, list[str]]]


def _climate(population: Population, spells: IntArray, day: int) -> npt.NDArray[np.float64]:
    climate: npt.NDArray[np.float64] = population.tree.climate[population.unit_at(spells, day)]
    return climate


def _within(population: Population, spells: IntArray, days: IntArray, window: _Window) -> BoolArray:
    """Dated inside the window and while employed (after the first month)."""
    inside: BoolArray = (
        (days > window.after)
        & (days <= window.until)
        & (days >= population.hire[spells] + 30)
        & (days <= population.term[spells])
    )
    return inside


def _dialogues(rng: np.random.Generator, population: Population, window: _Window) -> Columns:
    """Yearly MUS (LUS for managers), mostly in spring; fewer where the climate is poor."""
    spells = population.active_during(window.after + 1, window.until)
    count = spells.size
    spring = dt.date(window.year, 1, 10).toordinal() + rng.integers(0, 140, count)
    autumn = dt.date(window.year, 9, 1).toordinal() + rng.integers(0, 90, count)
    held = np.where(rng.random(count) < 0.85, spring, autumn)
    likely = np.clip(0.8 + 0.08 * _climate(population, spells, window.until), 0.4, 0.98)
    keep = _within(population, spells, held, window) & (rng.random(count) < likely)
    spells, held = spells[keep], held[keep]
    kind = np.where(population.is_manager[spells], 1, np.where(rng.random(spells.size) < 0.04, 2, 0))
    return {"spell": spells, "kind": kind, "day": held}


def _correct_dialogues(rng: np.random.Generator, batch: Columns) -> Columns:
    batch["day"] = batch["day"] + rng.integers(1, 8, batch["day"].size)
    return batch


def _render_dialogues(batch: Columns, population: Population, dialect: Dialect) -> dict[str, list[str]]:
    return {
        "dialogue_id": [f"M{i}" for i in batch["ident"].tolist()],
        "employee_number": pick(population.numbers, population.person[batch["spell"]]),
        "dialogue_type": pick(object_array(DIALOGUE_TYPES), batch["kind"]),
        "held_on": format_dates(batch["day"], dialect.date_style),
    }


def _activities(rng: np.random.Generator, population: Population, window: _Window) -> Columns:
    """Courses and education: more of them where the climate is good."""
    spells = population.active_during(window.after + 1, window.until)
    begin = np.maximum(population.hire[spells], window.after + 1)
    finish = np.minimum(population.term[spells], window.until)
    rate = 1.3 * np.exp(0.15 * _climate(population, spells, window.until))
    counts = rng.poisson(rate * (finish - begin + 1) / 365.25)
    spell = np.repeat(spells, counts)
    begin, finish = np.repeat(begin, counts), np.repeat(finish, counts)
    count = spell.size
    day = begin + (rng.random(count) * (finish - begin + 1)).astype(np.int64)
    kind = rng.choice(4, count, p=[0.6, 0.08, 0.14, 0.18])
    hours = np.zeros(count)
    cost = np.zeros(count)
    for code, options in enumerate(ACTIVITY_HOURS):
        chosen = kind == code
        hours[chosen] = rng.choice(options, int(chosen.sum()))
        low, high = ACTIVITY_RATE[code]
        cost[chosen] = np.round(hours[chosen] * rng.uniform(low, high, int(chosen.sum())) * 2) / 2
    return {
        "spell": spell,
        "kind": kind,
        "title": rng.integers(0, 1000, count),
        "hours": hours,
        "cost": cost,
        "day": day,
    }


def _correct_activities(rng: np.random.Generator, batch: Columns) -> Columns:
    batch["hours"] = batch["hours"] + rng.choice([-1.0, 1.0, 3.5], batch["hours"].size)
    batch["hours"] = np.maximum(batch["hours"], 1.0)
    return batch


def _render_activities(batch: Columns, population: Population, dialect: Dialect) -> dict[str, list[str]]:
    titles = [
        COMPETENCE_TITLES[ACTIVITY_TYPES[kind]][pick_ % len(COMPETENCE_TITLES[ACTIVITY_TYPES[kind]])]
        for kind, pick_ in zip(batch["kind"].tolist(), batch["title"].tolist(), strict=True)
    ]
    return {
        "activity_id": [f"K{i}" for i in batch["ident"].tolist()],
        "employee_number": pick(population.numbers, population.person[batch["spell"]]),
        "activity_type": pick(object_array(ACTIVITY_TYPES), batch["kind"]),
        "title": titles,
        "hours": format_decimals(batch["hours"], dialect.decimal_comma),
        # The finance module exports amounts Danish style (øre after a comma) whatever the file.
        "cost_dkk": format_decimals(batch["cost"], decimal_comma=True, places=2),
        "completed_on": format_dates(batch["day"], dialect.date_style),
    }


def _mobility(rng: np.random.Generator, population: Population, window: _Window) -> Columns:
    """Internal transfers (the moves seen in the HR snapshots), loans out and borrowing in."""
    tree = population.tree
    moved = np.flatnonzero((population.move_on > window.after) & (population.move_on <= window.until))
    move_day = population.move_on[moved]
    transfers = {
        "spell": moved,
        "kind": np.full(moved.size, TRANSFER),
        "from_unit": population.unit0[moved],
        "to_unit": population.unit1[moved],
        "start": move_day,
        "end": np.full(moved.size, NEVER),
        "outside": np.full(moved.size, -1),
    }
    spells = population.active_during(window.after + 1, window.until)
    lent = spells[rng.random(spells.size) < 0.012]
    start = np.maximum(population.hire[lent], window.after + 1) + rng.integers(0, 300, lent.size)
    keep = (start <= window.until) & (start <= population.term[lent])
    lent, start = lent[keep], start[keep]
    loans = {
        "spell": lent,
        "kind": np.full(lent.size, LOAN),
        "from_unit": population.unit_at(lent, window.until).astype(np.int64),
        "to_unit": np.full(lent.size, -1),
        "start": start,
        "end": start + rng.integers(60, 366, lent.size),
        "outside": rng.integers(0, len(EXTERNAL_INSTITUTIONS), lent.size),
    }
    leaves = np.flatnonzero(tree.is_leaf & (tree.closed_on == NEVER))
    borrowed = int(rng.poisson(0.004 * spells.size))
    borrow_start = window.after + 1 + rng.integers(0, max(1, window.until - window.after), borrowed)
    borrowing = {
        "spell": np.full(borrowed, -1),
        "kind": np.full(borrowed, BORROWING),
        "from_unit": np.full(borrowed, -1),
        "to_unit": leaves[rng.integers(0, leaves.size, borrowed)],
        "start": borrow_start,
        "end": borrow_start + rng.integers(30, 366, borrowed),
        "outside": rng.integers(0, len(EXTERNAL_INSTITUTIONS), borrowed),
    }
    parts = (transfers, loans, borrowing)
    batch: Columns = {k: np.concatenate([p[k] for p in parts]).astype(np.int64) for k in transfers}
    batch["visitor"] = rng.integers(10_000, 99_999, batch["spell"].size)
    return batch


def _correct_mobility(rng: np.random.Generator, batch: Columns) -> Columns:
    ended = batch["start"] + rng.integers(30, 200, batch["start"].size)
    batch["end"] = np.where(batch["end"] == NEVER, ended, batch["end"] + 14)
    return batch


def _render_mobility(batch: Columns, population: Population, dialect: Dialect) -> dict[str, list[str]]:
    tree = population.tree
    codes = object_array((*tree.codes, ""))
    institution_codes = object_array((*(tree.institutions[u.institution].code for u in tree.units), ""))
    outside = object_array((*EXTERNAL_INSTITUTIONS, ""))
    visitor = np.where(batch["kind"] == BORROWING, batch["outside"], -1)
    lent_to = np.where(batch["kind"] == LOAN, batch["outside"], -1)
    numbers = pick(population.numbers, population.person[np.maximum(batch["spell"], 0)])
    employee_numbers = [
        f"X{v}" if kind == BORROWING else number
        for kind, v, number in zip(batch["kind"].tolist(), batch["visitor"].tolist(), numbers, strict=True)
    ]
    own_from = pick(institution_codes, batch["from_unit"])
    own_to = pick(institution_codes, batch["to_unit"])
    external_from = pick(outside, visitor)
    external_to = pick(outside, lent_to)
    # A unit index of -1 (outside the group) picks the trailing blank of each table.
    return {
        "mobility_id": [f"MB{i}" for i in batch["ident"].tolist()],
        "employee_number": employee_numbers,
        "mobility_type": pick(object_array(MOBILITY_TYPES), batch["kind"]),
        "from_org_unit_code": pick(codes, batch["from_unit"]),
        "to_org_unit_code": pick(codes, batch["to_unit"]),
        "from_institution_code": [a or b for a, b in zip(own_from, external_from, strict=True)],
        "to_institution_code": [a or b for a, b in zip(own_to, external_to, strict=True)],
        "start_date": format_dates(batch["start"], dialect.date_style),
        "end_date": format_dates(batch["end"], dialect.date_style),
    }


def _reviews(rng: np.random.Generator, population: Population, window: _Window) -> Columns:
    """PULS reviews of last year, held in the first quarter; ratings follow the unit climate."""
    reviewed = dt.date(window.year, 1, 10).toordinal() + rng.integers(0, 60, population.spell_count)
    spells = np.arange(population.spell_count, dtype=np.int64)
    mid_last_year = dt.date(window.year - 1, 7, 1).toordinal()
    eligible = (
        _within(population, spells, reviewed, window)
        & (population.hire <= mid_last_year)
        & (rng.random(spells.size) < 0.8)
    )
    spells, reviewed = spells[eligible], reviewed[eligible]
    latent = 3.2 + 0.35 * _climate(population, spells, window.until)
    rating = np.clip(np.rint(latent + rng.normal(0, 0.8, spells.size)), 1, 5).astype(np.int64)
    return {
        "spell": spells,
        "period": np.full(spells.size, window.year - 1),
        "rating": rating,
        "day": reviewed,
    }


def _correct_reviews(rng: np.random.Generator, batch: Columns) -> Columns:
    batch["rating"] = np.clip(batch["rating"] + rng.choice([-1, 1], batch["rating"].size), 1, 5)
    return batch


def _render_reviews(batch: Columns, population: Population, dialect: Dialect) -> dict[str, list[str]]:
    return {
        "review_id": [f"P{i}" for i in batch["ident"].tolist()],
        "employee_number": pick(population.numbers, population.person[batch["spell"]]),
        "period": format_ints(batch["period"]),
        "rating": format_ints(batch["rating"]),
        "reviewed_on": format_dates(batch["day"], dialect.date_style),
    }
