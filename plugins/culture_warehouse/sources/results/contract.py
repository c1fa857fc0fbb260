"""Goals and results plans (mål- og resultatplan), replaced per year."""

from __future__ import annotations

import re

from culture_warehouse.contract import Column, Kind, TabularSource

GOALS = TabularSource(
    source="results",
    entity="goals",
    pattern=re.compile(r"goals_(?P<year>[0-9]{4})\.(?:csv|xlsx)", re.IGNORECASE),
    xlsx_allowed=True,
    description="goals of a year and whether they were achieved",
    columns=(
        Column("goal_id", Kind.CODE, required=True),
        Column("org_unit_code", Kind.CODE, required=True),
        Column("year", Kind.INTEGER, required=True),
        Column("title", Kind.FREE_TEXT, required=True),
        Column("target_value", Kind.TEXT),
        Column("actual_value", Kind.TEXT),
        Column("unit", Kind.TEXT),
        Column("achieved", Kind.TEXT, required=True),
        Column("assessed_on", Kind.DATE),
    ),
)

RESULTS_SOURCES = (GOALS,)
