"""The MTU contract (contracts/mtu.md): a round's three file types and the four raw tables they fill.

A round is three files named after its survey id: the question catalogue and the invitations are
plain tables; the responses hold one row per respondent and one column per question and fill
``raw.mtu_respondents`` and ``raw.mtu_answers`` (see ``ingestor.py``).
"""

from __future__ import annotations

import re

from culture_warehouse.contract import Column, Kind, RowRule, TabularSource, not_negative

FOLDER = "mtu"

DIMENSIONS = (
    "tillid", "retfaerdighed", "samarbejde", "anerkendelse", "rolleklarhed", "laering", "ledelse",
    "trivsel", "engagement", "kompetenceudvikling", "arbejdspres", "enps",
)  # fmt: skip
"""The dimensions a catalogue question may belong to (contracts/mtu.md)."""


def round_file(kind: str, extensions: str = "csv") -> re.Pattern[str]:
    """``<survey_id>_<kind>.<ext>``, case-insensitive; the survey id is any code before the kind."""
    return re.compile(rf"(?P<survey_id>[0-9A-Za-z][0-9A-Za-z_-]*?)_{kind}\.(?:{extensions})", re.IGNORECASE)


def _known_dimension(row: dict[str, str | None]) -> bool:
    dimension = row.get("dimension")
    return dimension is None or dimension.lower() in DIMENSIONS


def _scale_max_above_min(row: dict[str, str | None]) -> bool:
    low, high = row.get("scale_min"), row.get("scale_max")
    return low is None or high is None or int(high) > int(low)


def _dont_know_outside_scale(row: dict[str, str | None]) -> bool:
    code, low, high = row.get("dont_know_code"), row.get("scale_min"), row.get("scale_max")
    return code is None or low is None or high is None or not int(low) <= int(code) <= int(high)


QUESTIONS = TabularSource(
    source=FOLDER,
    entity="questions",
    pattern=round_file("questions"),
    description="the round's question catalogue: dimension, scale, reverse scoring, don't-know code",
    columns=(
        Column("question_code", Kind.CODE, required=True),
        Column("text_da", Kind.TEXT, required=True),
        Column("text_en", Kind.TEXT),
        Column("dimension", Kind.TEXT, required=True),
        Column("scale_min", Kind.INTEGER, required=True),
        Column("scale_max", Kind.INTEGER, required=True),
        Column("reverse_scored", Kind.BOOLEAN),
        Column("dont_know_code", Kind.INTEGER),
    ),
    row_rules=(
        RowRule("dimension", f"dimension is not one of {', '.join(DIMENSIONS)}", _known_dimension),
        RowRule("scale_max", "scale_max is not above scale_min", _scale_max_above_min),
        RowRule("dont_know_code", "dont_know_code lies inside the scale", _dont_know_outside_scale),
    ),
)

INVITATIONS = TabularSource(
    source=FOLDER,
    entity="invitations",
    pattern=round_file("invitations"),
    description="people invited to the round per HR org unit",
    columns=(
        Column("org_unit_code", Kind.CODE, required=True),
        Column("invited", Kind.INTEGER, required=True),
    ),
    row_rules=(not_negative("invited"),),
)

RESPONDENTS = TabularSource(
    source=FOLDER,
    entity="respondents",
    pattern=round_file("responses", "csv|xlsx"),
    xlsx_allowed=True,
    description="one row per respondent of a responses file: unit, submission time, background",
    columns=(
        Column("survey_id", Kind.CODE, required=True),
        Column("respondent_id", Kind.CODE, required=True),
        Column("org_unit_code", Kind.CODE, required=True),
        Column("submitted_at", Kind.TIMESTAMP),
        Column("bg_age_band", Kind.TEXT),
        Column("bg_seniority_band", Kind.TEXT),
        Column("bg_job_family", Kind.TEXT),
        Column("bg_is_manager", Kind.BOOLEAN),
    ),
)

ANSWERS = TabularSource(
    source=FOLDER,
    entity="answers",
    pattern=round_file("responses", "csv|xlsx"),
    xlsx_allowed=True,
    description="one row per delivered question cell: the value (null when skipped), don't-know flag",
    columns=(
        Column("survey_id", Kind.CODE, required=True),
        Column("respondent_id", Kind.CODE, required=True),
        Column("question_code", Kind.CODE, required=True),
        Column("value", Kind.DECIMAL),
        Column("is_dont_know", Kind.BOOLEAN, required=True),
    ),
)

RESPONSES = "responses"
ROUND_FILES = {QUESTIONS.entity: QUESTIONS, INVITATIONS.entity: INVITATIONS, RESPONSES: RESPONDENTS}
"""Delivered file type → the contract that recognises it (responses fill two raw tables)."""

MTU_TABLES = (QUESTIONS, INVITATIONS, RESPONDENTS, ANSWERS)
