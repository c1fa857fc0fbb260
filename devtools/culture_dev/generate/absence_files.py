"""hr/absence_YYYYMMDD: delta feeds of sickness and other absence, one per snapshot date.

A spell is delivered in the first extract after it starts. A spell still running then comes with
a blank end date and is delivered again, updated, in every later extract until it ends. A few
finished spells are corrected (or retracted with `deleted`) in the following extract with a newer
`last_modified`, as HR systems do when a manager registers late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from culture_dev.generate.formats import (
    BoolArray,
    CsvTable,
    DialectCycle,
    FloatArray,
    IntArray,
    format_bools,
    format_dates,
    format_decimals,
    format_timestamps,
    object_array,
    pick,
)
from culture_dev.generate.people import Population
from culture_dev.generate.timeline import EPOCH_ORDINAL, NEVER

ABSENCE_TYPES = (
    "egen sygdom", "barns første sygedag", "barns sygdom", "arbejdsskade",
    "graviditetsrelateret", "andet",
)  # fmt: skip
OWN_ILLNESS, CHILD_FIRST_DAY = 0, 1
COLUMNS = (
    "absence_id", "employee_number", "absence_type", "start_date", "end_date", "workdays",
    "deleted", "last_modified",
)  # fmt: skip
SPELLS_PER_YEAR = 1.5
CORRECTED_SHARE = 0.02
RETRACTED_SHARE = 0.006


@dataclass
class _Records:
    """Absence records as columns; `end` and `workdays` are the truth, `shown_*` what is sent."""

    ident: IntArray
    spell: IntArray
    kind: IntArray
    start: IntArray
    end: IntArray
    workdays: FloatArray
    shown_end: IntArray
    shown_workdays: FloatArray
    deleted: BoolArray
    modified_day: IntArray
    modified_minute: IntArray

    def __len__(self) -> int:
        return int(self.ident.size)

    def take(self, rows: IntArray | BoolArray) -> _Records:
        return _Records(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    @staticmethod
    def concat(parts: list[_Records]) -> _Records:
        return _Records(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(_Records)}
        )


def write_absence_deltas(
    hr: Path,
    population: Population,
    snapshots: tuple[dt.date, ...],
    history_start: dt.date,
    dialects: DialectCycle,
    rng: np.random.Generator,
) -> dict[str, int]:
    written: dict[str, int] = {}
    proneness = rng.gamma(2.0, 0.5, population.spell_count)
    pending = _empty()
    next_id = 1
    previous = history_start.toordinal()
    for day in snapshots:
        extract = day.toordinal()
        fresh = _new_spells(rng, population, proneness, previous, extract, next_id)
        next_id += len(fresh)
        ongoing_before = pending.shown_end == NEVER
        still_running = pending.take(ongoing_before)
        to_fix = pending.take(~ongoing_before)
        running = _Records.concat([fresh, still_running])
        _show_progress(rng, running, previous, extract)
        fixes = _apply_fixes(rng, to_fix, previous, extract)
        delivery = _Records.concat([running, fixes])
        finished = running.take(running.shown_end != NEVER)
        pending = _Records.concat([running.take(running.shown_end == NEVER), _pick_fixes(rng, finished)])
        name = f"absence_{day:%Y%m%d}.csv"
        written[f"hr/{name}"] = _write(hr / name, population, delivery, dialects)
        previous = extract
    return written


def _empty() -> _Records:
    ints = np.zeros(0, dtype=np.int64)
    return _Records(ints, ints, ints, ints, ints, ints.astype(np.float64), ints,
                    ints.astype(np.float64), ints.astype(np.bool_), ints, ints)  # fmt: skip


def _new_spells(
    rng: np.random.Generator,
    population: Population,
    proneness: FloatArray,
    previous: int,
    extract: int,
    first_id: int,
) -> _Records:
    """Spells starting after the previous extract, more of them where the climate is poor."""
    active = population.active_during(previous + 1, extract)
    begin = np.maximum(population.hire[active], previous + 1)
    finish = np.minimum(population.term[active], extract)
    climate = population.tree.climate[population.unit_at(active, extract)]
    rate = SPELLS_PER_YEAR * proneness[active] * np.exp(-0.35 * climate)
    counts = rng.poisson(rate * (finish - begin + 1) / 365.25)
    spell = np.repeat(active, counts)
    begin, finish = np.repeat(begin, counts), np.repeat(finish, counts)
    count = spell.size
    start = begin + (rng.random(count) * (finish - begin + 1)).astype(np.int64)
    weekday = (start + 6) % 7  # ordinal 1 was a Monday
    monday = start + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
    start = np.where(monday <= finish, monday, start)

    length_class = rng.random(count)
    long_spell, medium_spell = length_class < 0.04, length_class < 0.19
    short_days = rng.choice([1, 2, 3, 4, 5], count, p=[0.34, 0.26, 0.18, 0.12, 0.10])
    duration = np.where(
        long_spell,
        rng.integers(31, 150, count),
        np.where(medium_spell, rng.integers(6, 22, count), short_days),
    )
    kind = np.where(
        medium_spell,
        rng.choice(6, count, p=[0.86, 0.0, 0.02, 0.05, 0.05, 0.02]),
        rng.choice(6, count, p=[0.77, 0.11, 0.05, 0.02, 0.02, 0.03]),
    )
    duration = np.where(kind == CHILD_FIRST_DAY, 1, duration)
    end = np.minimum(start + duration - 1, population.term[spell])
    workdays = np.maximum(_weekdays(start, end), 1).astype(np.float64)
    part_day = (duration == 1) & (rng.random(count) < 0.1)
    workdays = np.where(part_day, 0.5, workdays)
    return _Records(
        ident=np.arange(first_id, first_id + count, dtype=np.int64),
        spell=spell,
        kind=kind,
        start=start,
        end=end,
        workdays=workdays,
        shown_end=end.copy(),
        shown_workdays=workdays.copy(),
        deleted=np.zeros(count, dtype=np.bool_),
        modified_day=start,
        modified_minute=rng.integers(360, 1200, count),
    )


def _weekdays(first: IntArray, last: IntArray) -> IntArray:
    begin = (first - EPOCH_ORDINAL).astype("datetime64[D]")
    stop = (last + 1 - EPOCH_ORDINAL).astype("datetime64[D]")
    counts: IntArray = np.busday_count(begin, stop).astype(np.int64)
    return counts


def _show_progress(rng: np.random.Generator, records: _Records, previous: int, extract: int) -> None:
    """What the extract says about running spells: the end when known, else the days so far."""
    running = records.end > extract
    so_far = np.maximum(_weekdays(records.start, np.minimum(records.end, extract)), 1)
    records.shown_end = np.where(running, NEVER, records.end)
    records.shown_workdays = np.where(running, so_far.astype(np.float64), records.workdays)
    registered = np.where(running, extract - rng.integers(0, 4, len(records)),
                          records.end + rng.integers(0, 5, len(records)))  # fmt: skip
    registered = np.clip(registered, np.maximum(records.start, previous + 1), extract)
    records.modified_day = registered
    records.modified_minute = rng.integers(360, 1200, len(records))


def _pick_fixes(rng: np.random.Generator, finished: _Records) -> _Records:
    """Finished records that the next extract will correct or retract."""
    draw = rng.random(len(finished))
    chosen = finished.take(draw < CORRECTED_SHARE + RETRACTED_SHARE)
    chosen.deleted = draw[draw < CORRECTED_SHARE + RETRACTED_SHARE] < RETRACTED_SHARE
    return chosen


def _apply_fixes(rng: np.random.Generator, records: _Records, previous: int, extract: int) -> _Records:
    count = len(records)
    extend = (~records.deleted) & (rng.random(count) < 0.5)
    records.end = np.where(extend, records.end + 1, records.end)
    recount = np.maximum(_weekdays(records.start, records.end), 1).astype(np.float64)
    adjusted = np.where(records.workdays >= 2, records.workdays - 1, records.workdays + 0.5)
    records.workdays = np.where(records.deleted, records.workdays, np.where(extend, recount, adjusted))
    records.shown_end = records.end
    records.shown_workdays = records.workdays
    records.modified_day = previous + rng.integers(1, min(30, extract - previous) + 1, count)
    records.modified_minute = rng.integers(360, 1200, count)
    return records


def _write(path: Path, population: Population, records: _Records, dialects: DialectCycle) -> int:
    dialect = dialects.next()
    records = records.take(np.lexsort((records.ident, records.modified_minute, records.modified_day)))
    with CsvTable(path, COLUMNS, dialect) as table:
        table.write(
            {
                "absence_id": [f"A{ident}" for ident in records.ident.tolist()],
                "employee_number": pick(population.numbers, population.person[records.spell]),
                "absence_type": pick(object_array(ABSENCE_TYPES), records.kind),
                "start_date": format_dates(records.start, dialect.date_style),
                "end_date": format_dates(records.shown_end, dialect.date_style),
                "workdays": format_decimals(records.shown_workdays, dialect.decimal_comma),
                "deleted": format_bools(records.deleted, dialect),
                "last_modified": format_timestamps(records.modified_day, records.modified_minute, dialect),
            }
        )
        return table.rows
