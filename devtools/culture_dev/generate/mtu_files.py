"""mtu/<survey_id>_questions, _invitations and _responses for the two survey rounds.

Up to about the state's size the whole drop is one survey group: every institution answers the
same two rounds (a ministry group's joint MTU). A larger drop (the public sector at large) splits
its institutions into groups of at most `SURVEY_GROUP_EMPLOYEES`, each with its own two rounds,
opening a fortnight apart, so the warehouse sees several survey series side by side.

Answers follow the climate of the respondent's unit (plus a personal and a per-dimension mood),
so trust, fairness and the other dimensions differ visibly between units and move between rounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from culture_dev.generate.formats import (
    CellValue,
    CsvTable,
    Dialect,
    DialectCycle,
    FloatArray,
    IntArray,
    format_bools,
    format_ints,
    format_timestamps,
    object_array,
    pick,
    styled_header,
    write_xlsx,
)
from culture_dev.generate.mtu_questions import DONT_KNOW, Question, questions_for
from culture_dev.generate.people import JOB_FAMILIES, Population
from culture_dev.generate.timeline import SurveyRound

QUESTION_COLUMNS = (
    "question_code", "text_da", "text_en", "dimension", "scale_min", "scale_max",
    "reverse_scored", "dont_know_code",
)  # fmt: skip
INVITATION_COLUMNS = ("org_unit_code", "invited")
FIXED_RESPONSE_COLUMNS = (
    "respondent_id", "org_unit_code", "submitted_at", "bg_age_band", "bg_seniority_band",
    "bg_job_family", "bg_is_manager",
)  # fmt: skip
SURVEY_GROUP_EMPLOYEES = 200_000
"""Institutions are added to a survey group while it stays within this many employees."""
XLSX_RESPONSE_LIMIT = 10_000
"""Above this many respondents the vendor's XLSX export is replaced by CSV (and writing stays fast)."""

AGE_BANDS = ("<30", "30-39", "40-49", "50-59", "60+")
SENIORITY_BANDS = ("<1 år", "1-3 år", "3-5 år", "5-10 år", "10+ år")
DIMENSION_MEANS = {
    "tillid": 3.8, "retfaerdighed": 3.4, "samarbejde": 3.9, "anerkendelse": 3.5,
    "rolleklarhed": 3.8, "laering": 3.6, "ledelse": 3.6, "trivsel": 3.7, "engagement": 3.9,
    "kompetenceudvikling": 3.3, "arbejdspres": 3.0, "enps": 7.0,
}  # fmt: skip
BLANK = -1
_PLAIN, _SPACED, _DECIMAL = range(3)


def survey_groups(sizes: Sequence[int], limit: int) -> list[list[int]]:
    """Institutions (by index, in order) gathered into groups that each run their own rounds: an
    institution joins the current group while the group stays within `limit` employees."""
    groups: list[list[int]] = []
    total = 0
    for institution, size in enumerate(sizes):
        if not groups or total + size > limit:
            groups.append([])
            total = 0
        groups[-1].append(institution)
        total += size
    return groups


def group_rounds(rounds: tuple[SurveyRound, SurveyRound], group: int) -> tuple[SurveyRound, SurveyRound]:
    """The first group answers the timeline's rounds; group g (from 0) opens 2·g weeks earlier and
    names its rounds `<survey_id>-<g + 1>`."""
    if group == 0:
        return rounds
    shift = dt.timedelta(weeks=2 * group)
    early, late = (
        SurveyRound(f"{survey.survey_id}-{group + 1}", survey.opens - shift, survey.closes - shift)
        for survey in rounds
    )
    return early, late


def write_survey_rounds(
    mtu: Path,
    population: Population,
    rounds: tuple[SurveyRound, SurveyRound],
    dialects: DialectCycle,
    rng: np.random.Generator,
) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    written: dict[str, int] = {}
    truth: dict[str, dict[str, Any]] = {}
    tree = population.tree
    unit_institution = np.array([unit.institution for unit in tree.units], dtype=np.int64)
    sizes = [institution.employees for institution in tree.institutions]
    groups = survey_groups(sizes, SURVEY_GROUP_EMPLOYEES)
    for number, group in enumerate(groups):
        members = np.isin(unit_institution, group)
        climate = tree.climate.copy()
        for late, survey in enumerate(group_rounds(rounds, number)):
            if late:
                climate = climate + rng.normal(0.0, 0.35, climate.size)
            questions = questions_for(bool(late))
            written.update(_write_questions(mtu, survey.survey_id, questions, dialects.next()))
            answers = _Answers.draw(
                rng, population, survey, questions, climate, with_seniority=bool(late), invited_units=members
            )
            name = f"{survey.survey_id}_invitations.csv"
            with CsvTable(mtu / name, INVITATION_COLUMNS, dialects.next()) as table:
                invited = np.flatnonzero(answers.invited)
                table.write(
                    {
                        "org_unit_code": [tree.units[u].code for u in invited.tolist()],
                        "invited": format_ints(answers.invited[invited]),
                    }
                )
                written[f"mtu/{name}"] = table.rows
            as_xlsx = bool(late) and answers.count < XLSX_RESPONSE_LIMIT
            name = f"{survey.survey_id}_responses.{'xlsx' if as_xlsx else 'csv'}"
            writer = _write_responses_xlsx if as_xlsx else _write_responses_csv
            written[f"mtu/{name}"] = writer(mtu / name, population, answers, dialects.next())
            truth[survey.survey_id] = {
                "opens": survey.opens.isoformat(),
                "last_submission": dt.date.fromordinal(int(answers.day.max())).isoformat(),
                "respondents": answers.count,
                "invited": int(answers.invited.sum()),
                "invalid_answers": answers.invalid_count,
                "institutions": [tree.institutions[index].code for index in group],
            }
    return written, truth


def _write_questions(
    mtu: Path, survey_id: str, questions: list[Question], dialect: Dialect
) -> dict[str, int]:
    name = f"{survey_id}_questions.csv"
    with CsvTable(mtu / name, QUESTION_COLUMNS, dialect) as table:
        table.write(
            {
                "question_code": [q.code for q in questions],
                "text_da": [q.text_da for q in questions],
                "text_en": [q.text_en for q in questions],
                "dimension": [q.dimension for q in questions],
                "scale_min": [str(q.scale[0]) for q in questions],
                "scale_max": [str(q.scale[1]) for q in questions],
                "reverse_scored": format_bools(np.array([q.reverse_scored for q in questions]), dialect),
                "dont_know_code": [
                    "" if q.dont_know_code is None else str(q.dont_know_code) for q in questions
                ],
            }
        )
        return {f"mtu/{name}": table.rows}


@dataclass(frozen=True)
class _Answers:
    """Respondents of one round: where they report, who they are (in bands) and what they say."""

    questions: list[Question]
    invited: IntArray
    unit: IntArray
    day: IntArray
    minute: IntArray
    age_band: IntArray
    seniority_band: IntArray | None
    family: IntArray
    manager: npt.NDArray[np.bool_]
    missing_background: npt.NDArray[np.bool_]
    values: IntArray
    style: IntArray
    invalid_count: int

    @property
    def count(self) -> int:
        return int(self.unit.size)

    @classmethod
    def draw(
        cls,
        rng: np.random.Generator,
        population: Population,
        survey: SurveyRound,
        questions: list[Question],
        climate: FloatArray,
        with_seniority: bool,
        invited_units: npt.NDArray[np.bool_],
    ) -> _Answers:
        """`invited_units`: a mask of the units whose people are invited (the survey group's)."""
        tree = population.tree
        opens = survey.opens.toordinal()
        active = population.active_on(opens)
        units = population.unit_at(active, opens)
        invitees = invited_units[units]
        active, units = active[invitees], units[invitees]
        invited = np.bincount(units, minlength=len(tree.units)).astype(np.int64)
        rate = np.clip(0.8 + 0.07 * climate[units], 0.45, 0.97)
        answered = rng.random(active.size) < rate
        spells, own_unit = active[answered], units[answered]
        count = spells.size
        # A few respondents pick the unit above their own in the vendor's unit list.
        parents = np.array([_parent_or_self(population, u, survey.opens) for u in range(len(tree.units))])
        reported = np.where(rng.random(count) < 0.02, parents[own_unit], own_unit)

        age = survey.opens.year - population.birth_year[population.person[spells]]
        tenure = (opens - population.hire[spells]) / 365.25
        values = _answer_values(rng, questions, climate[own_unit])
        invalid_count = _spoil_some(rng, questions, values)
        order = np.argsort(rng.random(count), kind="stable")
        day = opens + np.minimum(
            rng.exponential(5.0, count).astype(np.int64), survey.closes.toordinal() - opens
        )
        minute = rng.integers(420, 1320, count)
        by_time = np.lexsort((order, minute, day))
        return cls(
            questions=questions,
            invited=invited,
            unit=reported[by_time],
            day=day[by_time],
            minute=minute[by_time],
            age_band=np.digitize(age, [30, 40, 50, 60])[by_time],
            seniority_band=np.digitize(tenure, [1, 3, 5, 10])[by_time] if with_seniority else None,
            family=population.job_family[spells][by_time],
            manager=population.manages_at(spells, opens)[by_time],
            missing_background=(rng.random((count, 4)) < 0.03)[by_time],
            values=values[by_time],
            style=rng.choice(3, count, p=[0.84, 0.08, 0.08])[by_time],
            invalid_count=invalid_count,
        )


def _parent_or_self(population: Population, unit: int, day: dt.date) -> int:
    parent = population.tree.parent_at(unit, day)
    return unit if parent is None else parent


def _answer_values(rng: np.random.Generator, questions: list[Question], climate: FloatArray) -> IntArray:
    count = climate.size
    person = rng.normal(0.0, 0.55, count)
    moods = {d: climate + person + rng.normal(0.0, 0.45, count) for d in DIMENSION_MEANS}
    values = np.empty((count, len(questions)), dtype=np.int64)
    for column, question in enumerate(questions):
        low, high = question.scale
        if question.dimension == "enps":
            raw = DIMENSION_MEANS["enps"] + 1.8 * moods["engagement"] + rng.normal(0, 1.2, count)
        else:
            mood = moods[question.dimension]
            raw = DIMENSION_MEANS[question.dimension] + 0.8 * mood + rng.normal(0, 0.6, count)
        value = np.clip(np.rint(raw), low, high).astype(np.int64)
        values[:, column] = low + high - value if question.reverse_scored else value
        if question.dont_know_code is not None:
            values[rng.random(count) < 0.03, column] = DONT_KNOW
        values[rng.random(count) < 0.02, column] = BLANK
    return values


def _spoil_some(rng: np.random.Generator, questions: list[Question], values: IntArray) -> int:
    """Put a few out-of-scale answers in, as vendors' free-entry exports let through."""
    spoiled = rng.random(values.shape) < 0.0004
    if values.shape[0] >= 2:
        spoiled[0, 0] = True
        spoiled[1, -1] = True
    for column, question in enumerate(questions):
        rows = np.flatnonzero(spoiled[:, column])
        options = [11, 12] if question.dimension == "enps" else [0, 6, 7]
        values[rows, column] = rng.choice(options, rows.size)
    return int(spoiled.sum())


def _value_table() -> npt.NDArray[np.object_]:
    """Text of each answer (blank, 0..12) in the three ways vendors spell it: 4, ` 4 `, 4,0."""
    numbers = range(13)
    return np.array(
        [
            ["", *(str(n) for n in numbers)],
            ["", *(f" {n} " for n in numbers)],
            ["", *(f"{n},0" for n in numbers)],
        ],
        dtype=object,
    )


def _background(answers: _Answers, dialect: Dialect) -> dict[str, list[str]]:
    def blank_where(values: list[str], column: int) -> list[str]:
        missing = answers.missing_background[:, column].tolist()
        return ["" if gone else value for value, gone in zip(values, missing, strict=True)]

    columns = {
        "bg_age_band": blank_where(pick(object_array(AGE_BANDS), answers.age_band), 0),
        "bg_job_family": blank_where(pick(object_array(JOB_FAMILIES), answers.family), 2),
        "bg_is_manager": blank_where(format_bools(answers.manager, dialect), 3),
    }
    if answers.seniority_band is not None:
        bands = pick(object_array(SENIORITY_BANDS), answers.seniority_band)
        columns["bg_seniority_band"] = blank_where(bands, 1)
    return columns


def _respondent_ids(answers: _Answers, survey_id: str) -> list[str]:
    return [f"{survey_id}-R{n:06d}" for n in range(1, answers.count + 1)]


def _write_responses_csv(path: Path, population: Population, answers: _Answers, dialect: Dialect) -> int:
    survey_id = path.name.split("_")[0]
    codes = [q.code for q in answers.questions]
    fixed = [
        c for c in FIXED_RESPONSE_COLUMNS if c != "bg_seniority_band" or answers.seniority_band is not None
    ]
    cells = _value_table()[answers.style[:, None], answers.values + 1]
    columns: dict[str, list[str]] = {
        "respondent_id": _respondent_ids(answers, survey_id),
        "org_unit_code": pick(object_array(population.tree.codes), answers.unit),
        "submitted_at": format_timestamps(answers.day, answers.minute, dialect),
        **_background(answers, dialect),
    }
    for column, code in enumerate(codes):
        columns[code] = cells[:, column].tolist()
    with CsvTable(path, [*fixed, *codes], dialect) as table:
        table.write(columns)
        return table.rows


def _write_responses_xlsx(path: Path, population: Population, answers: _Answers, dialect: Dialect) -> int:
    """The vendor's Excel export: unit codes and answers as numbers, times as Excel datetimes."""
    survey_id = path.name.split("_")[0]
    fixed = [
        c for c in FIXED_RESPONSE_COLUMNS if c != "bg_seniority_band" or answers.seniority_band is not None
    ]
    header = [styled_header(c, dialect.header_style) for c in fixed] + [q.code for q in answers.questions]
    background = _background(answers, dialect)
    texts = _value_table()
    codes = population.tree.codes

    def rows() -> Any:
        for row, respondent in enumerate(_respondent_ids(answers, survey_id)):
            day = dt.date.fromordinal(int(answers.day[row]))
            minute = int(answers.minute[row])
            submitted = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60)
            values: dict[str, CellValue] = {
                "respondent_id": respondent,
                "org_unit_code": int(codes[int(answers.unit[row])]),
                "submitted_at": submitted,
                **{name: column[row] or None for name, column in background.items()},
            }
            style = int(answers.style[row])
            answers_row: list[CellValue] = [
                (None if v == BLANK else v) if style == _PLAIN else (texts[style, v + 1] or None)
                for v in answers.values[row].tolist()
            ]
            yield [values[c] for c in fixed] + answers_row

    stamp = dt.datetime.combine(dt.date.fromordinal(int(answers.day.max())), dt.time(18, 0))
    return write_xlsx(path, header, rows(), stamp, sheet_title="Svar")
