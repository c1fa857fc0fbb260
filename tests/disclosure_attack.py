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
        self.learn_sum(dict.fromkeys(people, 1))

    def knows(self, people: Iterable[Hashable]) -> bool:
        return self.knows_sum(dict.fromkeys(people, 1))

    def learn_sum(self, weights: dict[Hashable, int]) -> None:
        reduced = self._reduce({p: Fraction(c) for p, c in weights.items()})
        if reduced:
            self.rows[self._lead(reduced)] = reduced

    def knows_sum(self, weights: dict[Hashable, int]) -> bool:
        return not self._reduce({p: Fraction(c) for p, c in weights.items()})


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
    questions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for survey, respondent, dimension, question in conn.execute(
        "select survey_id, respondent_id, dimension, question_code from intermediate.int_mtu_item_scores"
        " where item_score is not null"
    ).fetchall():
        if (survey, respondent) in people:
            answers[(survey, respondent)][dimension].add(question)
            questions[(survey, dimension)].add(question)
    shown = _shown_mtu(conn, schema)
    leaks: list[str] = []
    for (survey, dimension), asked in sorted(questions.items()):
        below = _subtrees(parents[survey])
        respondents = {
            r: {**p, "answered": answers.get((survey, r), {}).get(dimension, set())}
            for (s, r), p in people.items()
            if s == survey
        }
        for variable in VARIABLES:
            leaks += _attack(survey, dimension, variable, sorted(asked), below, respondents, shown, k)
    return sorted(set(leaks))


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


def _attack(
    survey: str,
    dimension: str,
    variable: str,
    asked: list[str],
    below: dict[str, set[str]],
    respondents: dict[str, dict[str, Any]],
    shown: dict[str, dict[tuple[Any, ...], bool]],
    k: int,
) -> list[str]:
    """One round, dimension and background variable: breakdowns, questions and dimension
    results together. Unknowns are the favourable answers of a unit's own respondents with one
    value to one question: the cross-tabulation of value and question is published nowhere, so
    the analyst cannot split it further. What the analyst knows is 0: a unit's group that gave
    no answer in the dimension (its answer count is a published denominator), or a unit's
    question nobody answered there."""
    units = sorted(below)

    def value(r: str) -> Any:
        return respondents[r]["bg"][variable]

    def zero(unit: str, x: Any, q: str, everyone_answers: bool = False) -> bool:
        group = [r for r, p in respondents.items() if p["unit"] == unit and value(r) == x]
        if everyone_answers:
            return not group
        if not any(p["answered"] for r, p in respondents.items() if r in group):
            return True
        return not any(q in p["answered"] for p in respondents.values() if p["unit"] == unit)

    values = sorted({value(r) for r in respondents}, key=str)
    atoms = [(u, x, q) for u in units for x in values for q in asked]
    live = {a for a in atoms if not zero(*a)}
    live_if_all = {a for a in atoms if not zero(*a, everyone_answers=True)}

    def cell(units_in: set[str], x: Any = ..., q: str | None = None, world: set[Any] = live) -> set[Hashable]:
        return {a for a in world if a[0] in units_in and (x is ... or a[1] == x) and (q is None or a[2] == q)}

    analyst, headline, headline_if_all = Analyst(), Analyst(), Analyst()
    secrets: list[tuple[str, set[str], set[Hashable], set[Hashable]]] = []  # label, people, unknowns
    for unit in units:
        sub = below[unit]
        members = {r for r, p in respondents.items() if p["unit"] in sub}
        direct = {r for r in members if respondents[r]["unit"] == unit}
        if shown["dimension"].get((survey, unit, dimension)):
            for learner, world in ((analyst, live), (headline, live), (headline_if_all, live_if_all)):
                learner.learn(cell(sub, world=world))
        secrets.append((f"{survey}/{unit}/{dimension}", members, cell(sub), cell(sub, world=live_if_all)))
        secrets.append(
            (f"{survey}/{unit} direct/{dimension}", direct, cell({unit}), cell({unit}, world=live_if_all))
        )
        for x in values:
            label = f"{survey}/{unit}/{variable}={x}/{dimension}"
            if x is not None and shown["breakdown"].get((survey, unit, dimension, variable, x)):
                analyst.learn(cell(sub, x))
            group = {r for r in members if value(r) == x}
            own = {r for r in direct if value(r) == x}
            secrets.append((label, group, cell(sub, x), cell(sub, x, world=live_if_all)))
            secrets.append((f"{label} direct", own, cell({unit}, x), cell({unit}, x, world=live_if_all)))
        for q in asked:
            if shown["question"].get((survey, unit, q)):
                analyst.learn(cell(sub, q=q))
            answering = {r for r in members if q in respondents[r]["answered"]}
            own = {r for r in answering if r in direct}
            secrets.append((f"{survey}/{unit}/{q}", answering, cell(sub, q=q), {None}))
            secrets.append((f"{survey}/{unit}/{q} direct", own, cell({unit}, q=q), {None}))
    leaks = []
    for label, group, unknowns, unknowns_if_all in secrets:
        if not 0 < len(group) < k or not unknowns or not analyst.knows(unknowns):
            continue
        # Rules 1-3 publish a dimension result for its respondents; where it equals a smaller
        # group's figure only because people skipped items, the warehouse counts the identity
        # rather than suppressing the headline figure (README, "Disclosure control").
        if headline.knows(unknowns) and not headline_if_all.knows(unknowns_if_all):
            continue
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
