"""The dates every file of a drop hangs on: HR snapshots, event extracts, survey rounds, meetings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

NEVER = dt.date.max.toordinal()
"""Ordinal meaning "no such date": it sorts after every real date, so `day < NEVER` always holds."""

EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
"""Ordinal of NumPy's day zero: `(ordinal - EPOCH_ORDINAL).astype("datetime64[D]")`."""

SNAPSHOT_COUNT = 12
"""Quarterly full snapshots: three years of history before the as-of date."""


@dataclass(frozen=True)
class SurveyRound:
    survey_id: str
    opens: dt.date
    closes: dt.date


@dataclass(frozen=True)
class Timeline:
    as_of: dt.date
    snapshots: tuple[dt.date, ...]
    history_start: dt.date
    event_extracts: tuple[dt.date, ...]
    survey_rounds: tuple[SurveyRound, SurveyRound]
    minutes_from: dt.date
    apv_snapshots: tuple[dt.date, ...]
    goal_years: tuple[int, ...]

    @property
    def last_snapshot(self) -> dt.date:
        return self.snapshots[-1]


def build_timeline(as_of: dt.date) -> Timeline:
    snapshots = _quarter_ends_before(as_of, SNAPSHOT_COUNT)
    last = snapshots[-1]
    late_year = as_of.year if as_of > dt.date(as_of.year, 4, 30) else as_of.year - 1
    return Timeline(
        as_of=as_of,
        snapshots=snapshots,
        history_start=snapshots[0] - dt.timedelta(days=365),
        event_extracts=tuple(
            min(dt.date(year, 12, 31), last) for year in range(snapshots[0].year, last.year + 1)
        ),
        survey_rounds=(_survey_round(late_year - 2), _survey_round(late_year)),
        minutes_from=as_of - dt.timedelta(days=730),
        apv_snapshots=(snapshots[-5], snapshots[-3], snapshots[-1]),
        goal_years=(last.year - 2, last.year - 1, last.year),
    )


def _quarter_ends_before(as_of: dt.date, count: int) -> tuple[dt.date, ...]:
    ends: list[dt.date] = []
    year, quarter = as_of.year, (as_of.month - 1) // 3 + 1
    while len(ends) < count:
        end = _quarter_end(year, quarter)
        if end < as_of:
            ends.append(end)
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return tuple(reversed(ends))


def _quarter_end(year: int, quarter: int) -> dt.date:
    return dt.date(year, 3 * quarter, 31 if quarter in (1, 4) else 30)


def _survey_round(year: int) -> SurveyRound:
    """Rounds open on the first Monday of March and run for three weeks, as vendors usually do."""
    first = dt.date(year, 3, 1)
    opens = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    return SurveyRound(f"MTU{year}", opens, opens + dt.timedelta(days=18))


def copenhagen_offset(day: dt.date) -> str:
    """UTC offset of Danish local time on a day (daytime): summer time between the last Sundays
    of March and October."""
    return "+02:00" if _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10) else "+01:00"


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month, 31)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)
