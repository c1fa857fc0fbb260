"""An analyst's attack on everything the warehouse publishes (rule 5 of indicators.md).

Written for the tests, independently of ``culture_warehouse.disclosure``: it works on people,
not on the package's subtree variables. Every respondent's favourable answer to every question,
and every unit's direct employees' sick days in every tree segment, is an unknown; every figure
BI can read is the sum over the people it covers; the analyst knows every group's size, so a
group with nobody in it is a known 0. A small group (1..k−1 people) is disclosed when its sum is
a linear combination of the published sums: decided by rational Gaussian elimination
(``fractions.Fraction``), a different algorithm from the package's integer reduced echelon form.

People who are alike in everything the publication can see (same unit, same background, same
answered questions) are merged into one unknown per question: no published sum can tell them
apart, so this changes no answer and keeps whole nights small enough to solve.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from fractions import Fraction
from typing import Any

import psycopg

Vector = dict[Hashable, Fraction]
VARIABLES = ("age_band", "seniority_band", "job_family", "is_manager")


class Analyst:
    """Published sums in row-echelon form (leading unknown = smallest in a fixed order)."""

    def __init__(self) -> None:
        self.rows: dict[Hashable, Vector] = {}
        self.order: dict[Hashable, int] = {}

    def _lead(self, vector: Vector) -> Hashable:
        return min(vector, key=lambda v: self.order.setdefault(v, len(self.order)))

    def _reduce(self, vector: Vector) -> Vector:
        vector = {v: c for v, c in vector.items() if c}
        while vector:
            lead = self._lead(vector)
            row = self.rows.get(lead)
            if row is None:
                return vector
            factor = vector[lead] / row[lead]
            for variable, coefficient in row.items():
                value = vector.get(variable, Fraction(0)) - factor * coefficient
                if value:
                    vector[variable] = value
                else:
                    vector.pop(variable, None)
        return vector

    def learn(self, people: Iterable[Hashable]) -> None:
        reduced = self._reduce({p: Fraction(1) for p in people})
        if reduced:
            self.rows[self._lead(reduced)] = reduced

    def knows(self, people: Iterable[Hashable]) -> bool:
        return not self._reduce({p: Fraction(1) for p in people})


def _subtrees(parents: dict[str, str | None]) -> dict[str, set[str]]:
    below: dict[str, set[str]] = {unit: {unit} for unit in parents}
    for unit in parents:
        seen = set()
        ancestor = parents[unit]
        while ancestor is not None and ancestor in parents and ancestor not in seen:
            seen.add(ancestor)
            below[ancestor].add(unit)
            ancestor = parents[ancestor]
    return below


def attack_mtu(conn: psycopg.Connection[Any], schema: str, k: int) -> list[str]:
    """Small MTU groups whose favourable-answer sum the published marts give away."""
    parents: dict[str, dict[str, str | None]] = defaultdict(dict)
    for survey, unit, parent in conn.execute(
        "select survey_id, org_unit_code, parent_code from intermediate.int_mtu_groups"
    ).fetchall():
        parents[survey][unit] = parent
    people: dict[tuple[str, str], dict[str, Any]] = {}
    for survey, respondent, unit, *background in conn.execute(
        "select survey_id, respondent_id, org_unit_code, bg_age_band, bg_seniority_band, bg_job_family,"
        " bg_is_manager::text from staging.stg_mtu__respondents"
    ).fetchall():
        if unit in parents.get(survey, {}):
            people[(survey, respondent)] = {"unit": unit, "bg": dict(zip(VARIABLES, background, strict=True))}
    answers: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for survey, respondent, dimension, question in conn.execute(
        "select survey_id, respondent_id, dimension, question_code from intermediate.int_mtu_item_scores"
        " where item_score is not null"
    ).fetchall():
        if (survey, respondent) in people:
            answers[(survey, respondent)][dimension].add(question)
    shown = _shown_mtu(conn, schema)
    leaks: list[str] = []
    for survey in sorted(parents):
        below = _subtrees(parents[survey])
        dimensions = sorted({d for (s, _), by in answers.items() if s == survey for d in by})
        respondents = [(r, p) for (s, r), p in people.items() if s == survey]
        for dimension in dimensions:
            leaks += _attack_round_dimension(survey, dimension, below, respondents, answers, shown, k)
    return leaks


def _shown_mtu(conn: psycopg.Connection[Any], schema: str) -> dict[str, dict[tuple[Any, ...], bool]]:
    shown: dict[str, dict[tuple[Any, ...], bool]] = {}
    shown["dimension"] = {
        (s, u, d): bool(v)
        for s, u, d, v in conn.execute(
            f"select survey_id, org_unit_code, dimension, not suppressed from {schema}.mtu_dimension_results"
        ).fetchall()
    }
    shown["breakdown"] = {
        (s, u, d, var, val): bool(v)
        for s, u, d, var, val, v in conn.execute(
            "select survey_id, org_unit_code, dimension, background_variable, background_value,"
            f" not suppressed from {schema}.mtu_breakdown_results"
        ).fetchall()
    }
    shown["question"] = {
        (s, u, q): bool(v)
        for s, u, q, v in conn.execute(
            "select survey_id, org_unit_code, question_code, not suppressed"
            f" from {schema}.mtu_question_results"
        ).fetchall()
    }
    return shown


def _attack_round_dimension(
    survey: str,
    dimension: str,
    below: dict[str, set[str]],
    respondents: list[tuple[str, dict[str, Any]]],
    answers: dict[tuple[str, str], dict[str, set[str]]],
    shown: dict[str, dict[tuple[Any, ...], bool]],
    k: int,
) -> list[str]:
    person = dict(respondents)
    everything = sorted({q for by in answers.values() for q in by.get(dimension, ())})
    # One unknown per (kind of respondent, question): the favourable answers of those alike.
    kinds: dict[str, tuple[Any, ...]] = {}
    for respondent, p in respondents:
        answered = tuple(sorted(answers.get((survey, respondent), {}).get(dimension, ())))
        kinds[respondent] = (p["unit"], tuple(p["bg"].get(v) for v in VARIABLES), answered)

    def unknowns(
        members: Iterable[str], question: str | None = None, all_answer: bool = False
    ) -> set[Hashable]:
        found: set[Hashable] = set()
        for respondent in members:
            unit, background, answered = kinds[respondent]
            kind = (unit, background) if all_answer else kinds[respondent]
            for q in everything if all_answer else answered:
                if question is None or q == question:
                    found.add((kind, q))
        return found

    analyst = Analyst()  # everything published
    headline = Analyst()  # the dimension results alone
    headline_if_all_answered = Analyst()  # the same, had every respondent answered every item
    groups: list[tuple[str, list[str], str | None]] = []
    for unit in sorted(below):
        members = [r for r, p in respondents if p["unit"] in below[unit]]
        direct = [r for r in members if person[r]["unit"] == unit]
        if shown["dimension"].get((survey, unit, dimension)):
            analyst.learn(unknowns(members))
            headline.learn(unknowns(members))
            headline_if_all_answered.learn(unknowns(members, all_answer=True))
        groups += [(f"{survey}/{unit}/{dimension}", members, None), (f"{survey}/{unit} direct", direct, None)]
        for variable in VARIABLES:
            for value in {person[r]["bg"][variable] for r in members}:
                group = [r for r in members if person[r]["bg"][variable] == value]
                label = f"{survey}/{unit}/{variable}={value}/{dimension}"
                if value is not None and shown["breakdown"].get((survey, unit, dimension, variable, value)):
                    analyst.learn(unknowns(group))
                own = [r for r in direct if person[r]["bg"][variable] == value]
                groups += [(label, group, None), (f"{label} direct", own, None)]
        for question in {q for r in members for q in kinds[r][2]}:
            answering = [r for r in members if question in kinds[r][2]]
            if shown["question"].get((survey, unit, question)):
                analyst.learn(unknowns(answering, question))
            own = [r for r in direct if question in kinds[r][2]]
            groups += [
                (f"{survey}/{unit}/{question}", answering, question),
                (f"{survey}/{unit}/{question} direct", own, question),
            ]
    leaks = []
    for label, members, question in groups:
        secret = unknowns(members, question)
        if not 0 < len(members) < k or not secret or not analyst.knows(secret):
            continue
        # Rules 1-3 publish a dimension result for its respondents; where it equals a smaller
        # group's figure only because people skipped items, the warehouse counts the identity
        # rather than suppressing the headline figure (README, "Disclosure control").
        identity = headline.knows(secret) and not (
            question is None and headline_if_all_answered.knows(unknowns(members, all_answer=True))
        )
        if not identity:
            leaks.append(label)
    return leaks


def attack_absence(conn: psycopg.Connection[Any], schema: str, k: int) -> list[str]:
    """Small groups of employees whose sick days the published months and windows give away."""
    parents: dict[dt.date, dict[str, str | None]] = defaultdict(dict)
    for epoch, unit, parent in conn.execute(
        "select epoch_start, org_unit_code, parent_code from intermediate.int_org_unit_paths"
    ).fetchall():
        parents[epoch][unit] = parent
    below = {epoch: _subtrees(p) for epoch, p in parents.items()}
    segments: dict[dt.date, list[dt.date]] = defaultdict(list)
    for month, epoch in conn.execute(
        "select month_start, epoch_start from intermediate.int_hr_month_segments"
    ).fetchall():
        segments[month].append(epoch)
    staffed: dict[tuple[str, dt.date, dt.date], float] = {}
    for unit, month, epoch, days in conn.execute(
        "select org_unit_code, month_start, epoch_start, headcount_days"
        " from intermediate.int_staffing_by_unit_month"
    ).fetchall():
        if days:
            staffed[(unit, month, epoch)] = float(days)

    def people(unit: str, months: Iterable[dt.date], subtree: bool) -> set[Hashable]:
        found: set[Hashable] = set()
        for month in months:
            for epoch in segments.get(month, ()):
                if unit not in below[epoch]:
                    continue
                for member in below[epoch][unit] if subtree else {unit}:
                    if (member, month, epoch) in staffed:
                        found.add((member, month, epoch))
        return found

    def size(group: set[Hashable], days: int) -> float:
        return sum(staffed[g] for g in group) / days  # type: ignore[index]

    def days_in(months: list[dt.date]) -> int:
        return sum(_days_of_month(m) for m in months)

    analyst = Analyst()
    groups: list[tuple[str, set[Hashable], int]] = []
    for unit, month, shown in conn.execute(
        f"select org_unit_code, month_start, not suppressed from {schema}.absence_monthly"
    ).fetchall():
        group = people(unit, [month], subtree=True)
        if shown:
            analyst.learn(group)
        groups.append((f"{unit} {month:%Y-%m}", group, _days_of_month(month)))
    windows: set[dt.date] = set()
    for unit, period_end, shown in conn.execute(
        f"select org_unit_code, period_end, not absence_suppressed from {schema}.culture_scorecard"
    ).fetchall():
        months = _window(period_end, segments)
        group = people(unit, months, subtree=True)
        if shown:
            analyst.learn(group)
        groups.append((f"{unit} 12m to {period_end}", group, days_in(months)))
        windows.add(period_end)
    all_units = sorted({u for p in parents.values() for u in p})
    for unit in all_units:
        for month in segments:
            groups.append(
                (f"{unit} direct {month:%Y-%m}", people(unit, [month], False), _days_of_month(month))
            )
        for period_end in windows:
            months = _window(period_end, segments)
            groups.append(
                (f"{unit} direct 12m to {period_end}", people(unit, months, False), days_in(months))
            )
    return [
        label for label, group, days in groups if group and 0 < size(group, days) < k and analyst.knows(group)
    ]


def _days_of_month(month: dt.date) -> int:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (following - month).days


def _window(period_end: dt.date, segments: dict[dt.date, list[dt.date]]) -> list[dt.date]:
    following = period_end + dt.timedelta(days=1)
    start = following.replace(year=following.year - 1)
    return [m for m in segments if start <= m <= period_end]
