"""What the report reads: the published marts only, as the BI role, in one snapshot.

The session takes the role ``culture_bi_reader`` (``SET ROLE``) before it reads anything, in a
read-only, repeatable-read transaction: the report can read nothing a BI tool cannot, and it
sees one publication even when the nightly swap commits while it reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row

from culture_warehouse.warehouse import BI_ROLE

Row = dict[str, Any]

HEADLINE_FIGURES = ("trust_index", "social_capital_index", "enps")
SCORECARD_COLUMNS = (
    "org_unit_code",
    "period_end",
    "n_employees",
    "mtu_survey_id",
    "mtu_suppressed",
    "mtu_n_respondents",
    "trust_index",
    "tillid_delta",
    "social_capital_index",
    "enps",
    "response_rate_pct",
    "sick_days_per_fte_12m",
    "absence_suppressed",
    "apv_open_findings",
    "apv_overdue_actions",
    "committee_meetings_12m",
    "mtu_followed_up",
)


class ReportRefused(RuntimeError):
    """The report cannot be built as the BI role from what is published (the reason says why)."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    parent_code: str | None
    institution_code: str
    level: int
    path: str


@dataclass(frozen=True)
class DimensionResult:
    dimension: str
    n_respondents: int
    score: Decimal | None
    suppressed: bool


@dataclass(frozen=True)
class AbsenceMonth:
    month_start: dt.date
    sick_days_per_fte: Decimal | None
    suppressed: bool


@dataclass
class Marts:
    """The figures of one publication the report shows, keyed by org unit code."""

    period_end: dt.date
    built_for_night: dt.date | None
    units: dict[str, Unit]
    scorecard: dict[str, Row]
    previous_round: dict[str, Row] = field(default_factory=dict)
    dimensions: dict[tuple[str, str], list[DimensionResult]] = field(default_factory=dict)
    absence: dict[str, list[AbsenceMonth]] = field(default_factory=dict)
    absence_months: list[dt.date] = field(default_factory=list)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def parent(self, unit: Unit) -> Unit | None:
        return self.units.get(unit.parent_code) if unit.parent_code else None

    def institution(self, unit: Unit) -> Unit | None:
        """The top of the unit's tree (``institution_code`` is the HR system's code, not a unit)."""
        return self.units.get(unit.path.split("/", 1)[0])

    def roots(self) -> list[Unit]:
        return [u for u in self.in_tree_order() if self.parent(u) is None]

    def children(self, unit: Unit) -> list[Unit]:
        return sorted((u for u in self.units.values() if u.parent_code == unit.code), key=_tree_order)

    def in_tree_order(self) -> list[Unit]:
        return sorted(self.units.values(), key=_tree_order)


def _tree_order(unit: Unit) -> tuple[str, str]:
    return (unit.path, unit.code)


def read_marts(dsn: str) -> Marts:
    """Everything the report shows, from ``marts`` as ``culture_bi_reader``."""
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            _become_bi_reader(conn)
            return _read(conn)


def _become_bi_reader(conn: psycopg.Connection[Row]) -> None:
    found = conn.execute(
        "select exists (select from pg_roles where rolname = %s) as has_role,"
        " exists (select from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = 'marts' and c.relname = 'culture_scorecard') as published",
        (BI_ROLE,),
    ).fetchone()
    if not found or not found["has_role"]:
        raise ReportRefused(
            f"this database has no {BI_ROLE} role: it is not a culture warehouse yet;"
            " run a night into it first (culture run), then the report"
        )
    may = conn.execute("select pg_has_role(current_user, %s, 'MEMBER') as may", (BI_ROLE,)).fetchone()
    if not may or not may["may"]:
        raise ReportRefused(
            f"the report reads the marts as {BI_ROLE}, and this login cannot take that role:"
            f" give the report a BI login (member of {BI_ROLE}) or grant {BI_ROLE} to this login"
        )
    if not found["published"]:
        raise ReportRefused(
            "no night has published the marts into this warehouse yet (marts.culture_scorecard does"
            " not exist): run a night first (culture run), then the report"
        )
    conn.execute(psycopg.sql.SQL("set local role {}").format(psycopg.sql.Identifier(BI_ROLE)))


def _read(conn: psycopg.Connection[Row]) -> Marts:
    latest = conn.execute("select max(period_end) as period_end from marts.culture_scorecard").fetchone()
    if latest is None or latest["period_end"] is None:
        raise ReportRefused("marts.culture_scorecard is empty: no night has published a scorecard yet")
    period_end: dt.date = latest["period_end"]
    built = conn.execute(
        "select max(built_for_night) as night from marts.publication_status where mart = 'culture_scorecard'"
    ).fetchone()
    units = {
        row["org_unit_code"]: Unit(
            code=row["org_unit_code"],
            name=row["org_unit_name"] or row["org_unit_code"],
            parent_code=row["parent_code"],
            institution_code=row["institution_code"],
            level=int(row["org_level"]),
            path=row["org_path"],
        )
        for row in conn.execute(
            "select org_unit_code, org_unit_name, parent_code, institution_code, org_level, org_path"
            " from marts.dim_org_unit where is_current"
        )
    }
    columns = ", ".join(SCORECARD_COLUMNS)
    scorecard = {
        row["org_unit_code"]: row
        for row in conn.execute(
            f"select {columns} from marts.culture_scorecard where period_end = %s", (period_end,)
        )
    }
    marts = Marts(
        period_end=period_end,
        built_for_night=built["night"] if built else None,
        units=units,
        scorecard=scorecard,
    )
    marts.previous_round = _previous_round(conn, columns, scorecard)
    marts.dimensions = _dimensions(conn, {row["mtu_survey_id"] for row in scorecard.values()})
    marts.absence_months, marts.absence = _absence(conn, period_end)
    marts.labels = {
        row["indicator_code"]: {"da": row["label_da"], "en": row["label_en"]}
        for row in conn.execute("select indicator_code, label_da, label_en from marts.indicator_catalog")
    }
    return marts


def _previous_round(conn: psycopg.Connection[Row], columns: str, scorecard: dict[str, Row]) -> dict[str, Row]:
    """Per unit, its scorecard row of the round before the current one (the latest quarter that
    showed another, earlier round), for the change of social capital and eNPS since then."""
    previous: dict[str, Row] = {}
    for row in conn.execute(
        f"select {columns} from marts.culture_scorecard where mtu_survey_id is not null"
        " order by org_unit_code, period_end desc"
    ):
        current = scorecard.get(row["org_unit_code"])
        if current is None or row["org_unit_code"] in previous:
            continue
        if row["mtu_survey_id"] != current["mtu_survey_id"] and row["period_end"] < current["period_end"]:
            previous[row["org_unit_code"]] = row
    return previous


def _dimensions(
    conn: psycopg.Connection[Row], surveys: set[str | None]
) -> dict[tuple[str, str], list[DimensionResult]]:
    wanted = sorted(s for s in surveys if s)
    found: dict[tuple[str, str], list[DimensionResult]] = defaultdict(list)
    for row in conn.execute(
        "select survey_id, org_unit_code, dimension, n_respondents, score, suppressed"
        " from marts.mtu_dimension_results where survey_id = any(%s) and dimension <> 'enps'"
        " order by survey_id, org_unit_code, dimension",
        (wanted,),
    ):
        found[(row["survey_id"], row["org_unit_code"])].append(
            DimensionResult(
                row["dimension"], int(row["n_respondents"]), row["score"], bool(row["suppressed"])
            )
        )
    return dict(found)


def _absence(
    conn: psycopg.Connection[Row], period_end: dt.date
) -> tuple[list[dt.date], dict[str, list[AbsenceMonth]]]:
    """The twelve months ending with the scorecard's period end, per unit."""
    first = (period_end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    months: list[dt.date] = []
    day = first
    while day <= period_end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    months = months[-12:]
    found: dict[str, list[AbsenceMonth]] = defaultdict(list)
    for row in conn.execute(
        "select org_unit_code, month_start, sick_days_per_fte, suppressed from marts.absence_monthly"
        " where month_start >= %s and month_end <= %s order by org_unit_code, month_start",
        (months[0], period_end),
    ):
        found[row["org_unit_code"]].append(
            AbsenceMonth(row["month_start"], row["sick_days_per_fte"], bool(row["suppressed"]))
        )
    return months, dict(found)
