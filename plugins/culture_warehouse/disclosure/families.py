"""Read the built publication into linked families (disclosure/model.py), structure and sizes only.

- one family per survey round and background variable: the breakdown cells by value and the
  round's dimension results (a unit's result sums its value groups and its respondents without
  a value); the breakdown pattern is one per (unit, variable, value) for every dimension, so one
  family answers for all dimensions;
- one family per survey round and dimension: the question results (group size = valid answers
  to the question) and the dimension results (favourable answers of a dimension are the sum of
  its questions' favourable answers);
- one family for sickness absence: monthly cells and the scorecard's 12-month windows over tree
  segments (a month cut where the org tree changes), each unit's facts on the tree of their date.

Breakdowns and questions of one round need not be audited together: a shown breakdown or
question cell always has its unit's dimension result shown, and summing the breakdown family
over values (or the question family over questions) only gives dimension results, which both
families already hold (README, "Disclosure control").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping
from functools import partial
from typing import Any

import psycopg

from culture_warehouse.disclosure.model import (
    Cell,
    Family,
    Secret,
    Tree,
    add_column,
    direct_form,
    small_cell_secrets,
)
from culture_warehouse.disclosure.solver import Form, form

BREAKDOWN_MART = "mtu_breakdown_results"
QUESTION_MART = "mtu_question_results"
DIMENSION_MART = "mtu_dimension_results"
MONTHLY_MART = "absence_monthly"
SCORECARD_MART = "culture_scorecard"
MISSING = "(no value)"
VARIABLES = ("age_band", "seniority_band", "job_family", "is_manager")


def read_families(conn: psycopg.Connection, schema: str, k: float) -> list[Family]:
    """Every linked family of the publication built in ``schema``."""
    existing = {
        str(row[0])
        for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = %s", (schema,)
        ).fetchall()
    }
    families: list[Family] = []
    if {BREAKDOWN_MART, DIMENSION_MART} <= existing:
        families += breakdown_families(conn, schema, k)
    if {QUESTION_MART, DIMENSION_MART} <= existing:
        families += question_families(conn, schema, k)
    if MONTHLY_MART in existing:
        families.append(absence_family(conn, schema, k, with_windows=SCORECARD_MART in existing))
    return families


def _round_trees(conn: psycopg.Connection) -> tuple[dict[str, Tree], dict[tuple[str, str], int]]:
    parents: dict[str, dict[str, str | None]] = defaultdict(dict)
    respondents: dict[tuple[str, str], int] = {}
    for survey, unit, parent, n in conn.execute(
        "select survey_id, org_unit_code, parent_code, n_respondents from intermediate.int_mtu_groups"
    ).fetchall():
        parents[survey][unit] = parent
        respondents[(survey, unit)] = int(n)
    return {survey: Tree(p) for survey, p in parents.items()}, respondents


def _dimension_cells(conn: psycopg.Connection, schema: str) -> dict[tuple[str, str, str], bool]:
    return {
        (str(s), str(u), str(d)): bool(shown)
        for s, u, d, shown in conn.execute(
            f"select survey_id, org_unit_code, dimension, not suppressed from {schema}.{DIMENSION_MART}"
        ).fetchall()
    }


def breakdown_families(conn: psycopg.Connection, schema: str, k: float) -> list[Family]:
    """One family per round and variable; and one per round, variable and dimension where some
    respondents answered none of the dimension's items (their groups are then empty in that
    dimension's figures, which an analyst knowing the answer counts can use)."""
    trees, respondents = _round_trees(conn)
    direct: dict[tuple[str, str], dict[Hashable, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for survey, unit, variable, value, n in conn.execute(
        f"""
        {_RESPONDENTS_BY_VALUE}
        select survey_id, org_unit_code, variable, value, count(*)
        from by_value group by 1, 2, 3, 4
        """,
        (MISSING,),
    ).fetchall():
        direct[(survey, variable)][value][unit] = float(n)
    silent: dict[tuple[str, str, str], dict[Hashable, dict[str, float]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for survey, unit, variable, value, dimension, n in conn.execute(
        f"""
        {_RESPONDENTS_BY_VALUE},
        dimensions as (select distinct survey_id, dimension from intermediate.int_mtu_item_scores),
        answering as (
            select distinct survey_id, respondent_id, dimension
            from intermediate.int_mtu_item_scores where item_score is not null
        ),
        silent as (
            select r.survey_id, r.respondent_id, d.dimension
            from (select distinct survey_id, respondent_id from by_value) as r
            inner join dimensions as d on r.survey_id = d.survey_id
            where not exists (
                select from answering as a
                where a.survey_id = r.survey_id and a.respondent_id = r.respondent_id
                    and a.dimension = d.dimension
            )
        )
        select b.survey_id, b.org_unit_code, b.variable, b.value, s.dimension, count(*)
        from silent as s
        inner join by_value as b on b.survey_id = s.survey_id and b.respondent_id = s.respondent_id
        group by 1, 2, 3, 4, 5
        """,
        (MISSING,),
    ).fetchall():
        silent[(survey, variable, dimension)][value][unit] = float(n)
    answered: dict[tuple[str, str, str], dict[Hashable, dict[str, float]]] = {}
    for (survey, variable, dimension), by_value in silent.items():
        columns = direct[(survey, variable)]
        answered[(survey, variable, dimension)] = {
            value: {u: n - by_value.get(value, {}).get(u, 0.0) for u, n in units.items()}
            for value, units in columns.items()
        }
    dimension_cells = _dimension_cells(conn, schema)
    shown_units: dict[tuple[str, str], bool] = defaultdict(bool)
    for (survey, unit, _), shown in dimension_cells.items():
        shown_units[(survey, unit)] |= shown
    published: dict[tuple[str, str], dict[tuple[str, str], bool]] = defaultdict(dict)
    by_dimension: dict[tuple[str, str, str], dict[tuple[str, str], bool]] = defaultdict(dict)
    for survey, unit, variable, value, dimension, shown in conn.execute(
        "select survey_id, org_unit_code, background_variable, background_value, dimension, not suppressed"
        f" from {schema}.{BREAKDOWN_MART}"
    ).fetchall():
        cells = published[(survey, variable)]
        cells[(unit, value)] = cells.get((unit, value), False) or bool(shown)
        by_dimension[(survey, variable, dimension)][(unit, value)] = bool(shown)
    families = []
    for (survey, variable), columns in sorted(direct.items()):
        tree = trees.get(survey)
        if tree is None:
            continue
        families.append(
            _breakdown_family(
                f"breakdown {survey} {variable}", columns, None, tree, (survey, variable),
                published[(survey, variable)], partial(_lookup, shown_units, (survey,), ()), respondents, k,
            )
        )  # fmt: skip
        for (s, v, dimension), present in sorted(answered.items()):
            if (s, v) == (survey, variable) and _has_silent_group(columns, present):
                families.append(
                    _breakdown_family(
                        f"breakdown {survey} {variable} {dimension}", columns, present, tree,
                        (survey, variable, dimension), by_dimension[(survey, variable, dimension)],
                        partial(_lookup, dimension_cells, (survey,), (dimension,)), respondents, k,
                    )
                )  # fmt: skip
    return families


_RESPONDENTS_BY_VALUE = """
with by_value as (
    select r.survey_id, r.respondent_id, r.org_unit_code, b.variable, coalesce(b.value, %s) as value
    from staging.stg_mtu__respondents as r
    inner join intermediate.int_mtu_groups as g
        on g.survey_id = r.survey_id and g.org_unit_code = r.org_unit_code
    cross join lateral (values ('age_band', r.bg_age_band), ('seniority_band', r.bg_seniority_band),
        ('job_family', r.bg_job_family), ('is_manager', r.bg_is_manager::text)) as b (variable, value)
)"""


def _lookup(shown: Mapping[Any, bool], before: tuple[str, ...], after: tuple[str, ...], unit: str) -> bool:
    return shown.get((*before, unit, *after), False)


def _has_silent_group(
    columns: dict[Hashable, dict[str, float]], present: dict[Hashable, dict[str, float]]
) -> bool:
    """Whether some group has members of whom none answered (a zero only this dimension has)."""
    return any(
        n > 0 and present.get(value, {}).get(unit, 0.0) == 0
        for value, units in columns.items()
        for unit, n in units.items()
    )


def _breakdown_family(
    name: str,
    columns: dict[Hashable, dict[str, float]],
    present: dict[Hashable, dict[str, float]] | None,
    tree: Tree,
    scope: tuple[str, ...],
    published: dict[tuple[str, str], bool],
    unit_shown: Callable[[str], bool],
    respondents: dict[tuple[str, str], int],
    k: float,
) -> Family:
    """``scope`` is (survey, variable) for every dimension at once, or (survey, variable,
    dimension) for one; the cells' keys carry the dimension then, so a suppression there hides
    only that dimension's rows."""
    family = Family(name)
    survey, variable = scope[0], scope[1]
    dimension = scope[2:]
    columns.setdefault(MISSING, {})
    sizes = {
        value: add_column(
            family,
            tree,
            value,
            units,
            k,
            "direct respondents of a unit by value",
            (survey, variable),
            present=None if present is None else present.get(value, {}),
        )
        for value, units in sorted(columns.items())
    }
    for (unit, value), shown in published.items():
        family.cells.append(
            Cell(
                BREAKDOWN_MART,
                (survey, unit, variable, value, *dimension),
                form(family.terms([(unit, value)])),
                sizes.get(value, {}).get(unit, 0.0),
                value,
                shown,
                fine=True,
            )
        )
    for unit in tree.bottom_up:
        total = form(family.terms((unit, value) for value in sizes))
        family.cells.append(
            Cell(
                DIMENSION_MART,
                (survey, unit, *dimension),
                total,
                float(respondents.get((survey, unit), 0)),
                "all respondents",
                unit_shown(unit),
                fine=False,
            )
        )
        missing = sizes[MISSING].get(unit, 0.0)
        if 0 < missing < k:
            family.secrets.append(
                Secret(
                    "respondents without a value",
                    (survey, variable, unit),
                    form(family.terms([(unit, MISSING)])),
                    missing,
                    MISSING,
                )
            )
        own = sum(units.get(unit, 0.0) for units in columns.values())
        if 0 < own < k:
            terms = [t for value in sizes for t in direct_form(family, tree, unit, value)]
            family.secrets.append(
                Secret("direct respondents of a unit", (survey, unit), form(terms), own, "all")
            )
    small_cell_secrets(family, k, "suppressed group", family.cells)
    if present is not None:
        family.drop_known_zero_secrets()
        family.drop_headline_identities()
    return family


def question_families(conn: psycopg.Connection, schema: str, k: float) -> list[Family]:
    trees, respondents = _round_trees(conn)
    direct: dict[tuple[str, str], dict[Hashable, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for survey, unit, dimension, question, n in conn.execute(
        """
        select i.survey_id, i.org_unit_code, i.dimension, i.question_code, count(*)
        from intermediate.int_mtu_item_scores as i
        inner join intermediate.int_mtu_groups as g
            on g.survey_id = i.survey_id and g.org_unit_code = i.org_unit_code
        where i.item_score is not null
        group by 1, 2, 3, 4
        """
    ).fetchall():
        direct[(survey, dimension)][question][unit] = float(n)
    dimension_shown = _dimension_cells(conn, schema)
    published: dict[tuple[str, str], list[tuple[str, str, bool]]] = defaultdict(list)
    for survey, unit, dimension, question, shown in conn.execute(
        "select survey_id, org_unit_code, dimension, question_code, not suppressed"
        f" from {schema}.{QUESTION_MART}"
    ).fetchall():
        published[(survey, dimension)].append((unit, question, bool(shown)))
    families = []
    for (survey, dimension), columns in sorted(direct.items()):
        tree = trees.get(survey)
        if tree is None:
            continue
        family = Family(f"questions {survey} {dimension}")
        sizes = {
            question: add_column(
                family, tree, question, units, k, "direct answers of a unit to a question", (survey, question)
            )
            for question, units in sorted(columns.items())
        }
        for unit, question, shown in published[(survey, dimension)]:
            family.cells.append(
                Cell(
                    QUESTION_MART,
                    (survey, unit, question),
                    form(family.terms([(unit, question)])),
                    sizes.get(question, {}).get(unit, 0.0),
                    question,
                    shown,
                    fine=True,
                )
            )
        for unit in tree.bottom_up:
            if (survey, unit, dimension) not in dimension_shown:
                continue
            total = form(family.terms((unit, question) for question in sizes))
            family.cells.append(
                Cell(
                    DIMENSION_MART,
                    (survey, unit, dimension),
                    total,
                    float(respondents.get((survey, unit), 0)),
                    "all questions",
                    dimension_shown[(survey, unit, dimension)],
                    fine=False,
                )
            )
        small_cell_secrets(family, k, "suppressed group", family.cells)
        family.drop_headline_identities()
        families.append(family)
    return families


def absence_family(conn: psycopg.Connection, schema: str, k: float, with_windows: bool = True) -> Family:
    """Sick days: monthly cells, 12-month windows, one variable per unit and tree segment."""
    # Windows link every month of a unit: trying candidates costs more here than it saves.
    family = Family("absence", tries=0)
    trees: dict[dt.date, Tree] = {}
    parents: dict[dt.date, dict[str, str | None]] = defaultdict(dict)
    for epoch, unit, parent in conn.execute(
        "select epoch_start, org_unit_code, parent_code from intermediate.int_org_unit_paths"
    ).fetchall():
        parents[epoch][unit] = parent
    trees = {epoch: Tree(p) for epoch, p in parents.items()}
    segments: dict[dt.date, list[dt.date]] = defaultdict(list)  # month → epochs cutting it
    for month, epoch in conn.execute(
        "select month_start, epoch_start from intermediate.int_hr_month_segments order by 1, 2"
    ).fetchall():
        segments[month].append(epoch)
    staffing: dict[tuple[dt.date, dt.date], dict[str, float]] = defaultdict(dict)
    for unit, month, epoch, days in conn.execute(
        "select org_unit_code, month_start, epoch_start, headcount_days"
        " from intermediate.int_staffing_by_unit_month"
    ).fetchall():
        staffing[(month, epoch)][unit] = float(days)
    subtree: dict[tuple[dt.date, dt.date], dict[str, float]] = {}
    for month, epochs in segments.items():
        for epoch in epochs:
            column = (month, epoch)
            subtree[column] = add_column(family, trees[epoch], column, staffing.get(column, {}), k, None)

    def pieces(unit: str, months: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
        return [(m, e) for m in months for e in segments.get(m, ()) if unit in trees[e].parents]

    def cell_form(unit: str, months: list[dt.date]) -> tuple[Form, float]:
        columns = pieces(unit, months)
        terms = form(family.terms((unit, column) for column in columns))
        return terms, sum(subtree[column].get(unit, 0.0) for column in columns)

    def own_size(unit: str, months: list[dt.date]) -> float:
        return sum(staffing.get(column, {}).get(unit, 0.0) for column in pieces(unit, months))

    def own_form(unit: str, months: list[dt.date]) -> Form:
        return form(t for c in pieces(unit, months) for t in direct_form(family, trees[c[1]], unit, c))

    all_units = sorted({u for tree in trees.values() for u in tree.parents})
    for unit, month, shown in conn.execute(
        f"select org_unit_code, month_start, not suppressed from {schema}.{MONTHLY_MART}"
    ).fetchall():
        terms, size = cell_form(unit, [month])
        days = _days(month, _month_end(month))
        family.cells.append(
            Cell(MONTHLY_MART, (unit, month), terms, size / days, month, bool(shown), fine=True)
        )
    for month in segments:
        days = _days(month, _month_end(month))
        for unit in all_units:
            own = own_size(unit, [month]) / days
            if 0 < own < k:
                family.secrets.append(
                    Secret(
                        "direct employees of a unit in a month",
                        (unit, month),
                        own_form(unit, [month]),
                        own,
                        month,
                    )
                )
    if with_windows:
        for unit, period_end, shown in conn.execute(
            f"select org_unit_code, period_end, not absence_suppressed from {schema}.{SCORECARD_MART}"
        ).fetchall():
            start = _window_start(period_end)
            months = [m for m in segments if start <= m <= period_end]
            terms, size = cell_form(unit, months)
            days = _days(start, period_end)
            family.cells.append(
                Cell(
                    SCORECARD_MART,
                    (unit, period_end),
                    terms,
                    size / days,
                    ("12m", period_end),
                    bool(shown),
                    fine=False,
                )
            )
        ends = {cell.key[1] for cell in family.cells if cell.mart == SCORECARD_MART}
        for period_end in sorted(end for end in ends if isinstance(end, dt.date)):
            start = _window_start(period_end)
            months = [m for m in segments if start <= m <= period_end]
            days = _days(start, period_end)
            for unit in all_units:
                own = own_size(unit, months) / days
                if 0 < own < k:
                    family.secrets.append(
                        Secret(
                            "direct employees of a unit in a 12-month window",
                            (unit, period_end),
                            own_form(unit, months),
                            own,
                            ("12m", period_end),
                        )
                    )
    small_cell_secrets(family, k, "suppressed group", family.cells)
    return family


def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _window_start(period_end: dt.date) -> dt.date:
    following = period_end + dt.timedelta(days=1)
    return following.replace(year=following.year - 1)


def _days(first: dt.date, last: dt.date) -> int:
    return (last - first).days + 1
