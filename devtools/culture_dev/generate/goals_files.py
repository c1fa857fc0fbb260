"""results/goals_YYYY: the goals and results plans of three years (one of them as XLSX)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from culture_dev.generate.formats import (
    CellValue,
    CsvTable,
    DateStyle,
    DialectCycle,
    date_text,
    decimal_text,
    styled_header,
    write_xlsx,
)
from culture_dev.generate.names import GOALS
from culture_dev.generate.orgtree import OrgTree

COLUMNS = (
    "goal_id", "org_unit_code", "year", "title", "target_value", "actual_value", "unit",
    "achieved", "assessed_on",
)  # fmt: skip
ACHIEVED_SPELLINGS = {"ja": ("ja", "Ja"), "delvist": ("delvist", "Delvist"), "nej": ("nej", "Nej")}
GOAL_UNIT_TYPES = frozenset({"institution", "afdeling", "kontor"})


def write_goal_files(
    folder: Path,
    tree: OrgTree,
    years: tuple[int, ...],
    last_day: dt.date,
    seed: int,
    dialects: DialectCycle,
) -> dict[str, int]:
    rng = random.Random(f"{seed}:goals")
    written: dict[str, int] = {}
    for number, year in enumerate(years):
        rows = _goals(rng, tree, year, last_day)
        dialect = dialects.next()
        if number == 1:
            name = f"goals_{year}.xlsx"
            header = [styled_header(c, dialect.header_style) for c in COLUMNS]
            stamp = dt.datetime(year + 1, 3, 1, 9, 0)
            written[f"results/{name}"] = write_xlsx(folder / name, header, rows, stamp, "Mål")
            continue
        name = f"goals_{year}.csv"
        with CsvTable(folder / name, COLUMNS, dialect) as table:
            table.write(
                {
                    column: [_as_text(row[i], dialect.decimal_comma, dialect.date_style) for row in rows]
                    for i, column in enumerate(COLUMNS)
                }
            )
            written[f"results/{name}"] = table.rows
    return written


def _as_text(value: CellValue, decimal_comma: bool, style: DateStyle) -> str:
    if isinstance(value, dt.date):
        return date_text(value, style)
    if isinstance(value, float):
        return decimal_text(value, decimal_comma)
    return "" if value is None else str(value)


def _goals(rng: random.Random, tree: OrgTree, year: int, last_day: dt.date) -> list[list[CellValue]]:
    """Two to four goals per unit; actual results lean on the unit's climate."""
    assessed_base = min(last_day, dt.date(year + 1, 1, 15))
    rows: list[list[CellValue]] = []
    for unit in tree.units:
        if unit.unit_type not in GOAL_UNIT_TYPES or not tree.is_open(unit.index, assessed_base):
            continue
        for title, measure, target, higher_is_better in rng.sample(GOALS, rng.randint(2, 4)):
            drift = rng.gauss(0.02 + 0.06 * unit.climate, 0.12)
            actual = round(target * (1 + drift if higher_is_better else 1 - drift), 1)
            ratio = actual / target if higher_is_better else target / max(actual, 0.1)
            achieved = "ja" if ratio >= 1 else "delvist" if ratio >= 0.85 else "nej"
            assessed = assessed_base - dt.timedelta(days=rng.randint(0, 30))
            rows.append(
                [
                    f"G{year}-{len(rows) + 1:05d}",
                    unit.code,
                    year,
                    title,
                    target,
                    actual,
                    measure,
                    rng.choice(ACHIEVED_SPELLINGS[achieved]),
                    assessed,
                ]
            )
    return rows
