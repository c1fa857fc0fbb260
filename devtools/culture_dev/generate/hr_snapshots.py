"""hr/org_units_YYYYMMDD and hr/employees_YYYYMMDD: full quarterly snapshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from culture_dev.generate.formats import (
    CsvTable,
    DialectCycle,
    ExtraColumn,
    format_bools,
    format_dates,
    format_decimals,
    format_ints,
    object_array,
    pick,
)
from culture_dev.generate.names import PAY_GRADES
from culture_dev.generate.orgtree import OrgTree
from culture_dev.generate.people import (
    EMPLOYMENT_TYPES,
    JOB_FAMILIES,
    TERMINATION_REASONS,
    Population,
)
from culture_dev.generate.timeline import NEVER

ORG_UNIT_COLUMNS = (
    "org_unit_code", "name", "parent_code", "institution_code", "unit_type",
    "manager_employee_number",
)  # fmt: skip
EMPLOYEE_COLUMNS = (
    "employee_number", "cpr", "first_name", "last_name", "org_unit_code", "hire_date",
    "termination_date", "termination_reason", "fte", "birth_year", "gender", "job_family",
    "job_title", "employment_type", "is_manager",
)  # fmt: skip
CONTACT_COLUMNS = ("email", "phone")
OLD_EXPORT_SNAPSHOTS = 2
"""The oldest snapshots come from an export that had no employment_type column yet."""


def write_org_unit_snapshots(
    hr: Path, population: Population, snapshots: tuple[dt.date, ...], dialects: DialectCycle
) -> dict[str, int]:
    tree = population.tree
    written: dict[str, int] = {}
    extra = ExtraColumn("omkostningssted", ("4100", "4200", "4310", "5000"))
    for day in snapshots:
        managers = _managers_on(population, day.toordinal())
        units = tree.open_units(day)
        parents = [tree.parent_at(unit, day) for unit in units]
        name = f"org_units_{day:%Y%m%d}.csv"
        with CsvTable(hr / name, ORG_UNIT_COLUMNS, dialects.next(), extra) as table:
            table.write(
                {
                    "org_unit_code": [tree.units[unit].code for unit in units],
                    "name": [tree.name_at(unit, day) for unit in units],
                    "parent_code": ["" if p is None else tree.units[p].code for p in parents],
                    "institution_code": [
                        tree.institutions[tree.units[unit].institution].code for unit in units
                    ],
                    "unit_type": [tree.units[unit].unit_type for unit in units],
                    "manager_employee_number": [managers.get(unit, "") for unit in units],
                }
            )
            written[f"hr/{name}"] = table.rows
    return written


def _managers_on(population: Population, day: int) -> dict[int, str]:
    active = population.active_on(day)
    managing = active[population.manages_at(active, day)]
    units = population.unit_at(managing, day).tolist()
    numbers = pick(population.numbers, population.person[managing])
    return dict(zip(units, numbers, strict=True))


def write_employee_snapshots(
    hr: Path, population: Population, snapshots: tuple[dt.date, ...], dialects: DialectCycle
) -> dict[str, int]:
    written: dict[str, int] = {}
    codes = object_array(population.tree.codes)
    # A reason index of -1 (still employed) picks the trailing blank.
    reasons = object_array((*TERMINATION_REASONS, ""))
    families = object_array(JOB_FAMILIES)
    kinds = object_array(EMPLOYMENT_TYPES)
    extra = ExtraColumn("lønramme", PAY_GRADES)
    for number, day in enumerate(snapshots):
        ordinal = day.toordinal()
        dialect = dialects.next()
        spells = population.listed_on(ordinal)
        people = population.person[spells]
        shown_term = np.where(population.notice[spells] <= ordinal, population.term[spells], NEVER)
        shown_reason = np.where(shown_term == NEVER, -1, population.reason[spells])
        columns = {
            "employee_number": pick(population.numbers, people),
            "cpr": pick(population.cprs, people),
            "first_name": pick(population.first_names, people),
            "last_name": pick(population.last_names, people),
            "org_unit_code": pick(codes, population.unit_at(spells, ordinal)),
            "hire_date": format_dates(population.hire[spells], dialect.date_style),
            "termination_date": format_dates(shown_term, dialect.date_style),
            "termination_reason": pick(reasons, shown_reason),
            "fte": format_decimals(population.fte_at(spells, ordinal), dialect.decimal_comma),
            "birth_year": format_ints(population.birth_year[people]),
            "gender": pick(population.genders, people),
            "job_family": pick(families, population.job_family[spells]),
            "job_title": pick(population.job_title, spells),
            "employment_type": pick(kinds, population.employment_type[spells]),
            "is_manager": format_bools(population.manages_at(spells, ordinal), dialect),
            "email": pick(population.emails, people),
            "phone": pick(population.phones, people),
        }
        header = [c for c in EMPLOYEE_COLUMNS if c != "employment_type" or number >= OLD_EXPORT_SNAPSHOTS]
        if dialect.with_contact_columns:
            header[4:4] = CONTACT_COLUMNS
        name = f"employees_{day:%Y%m%d}.csv"
        with CsvTable(hr / name, header, dialect, extra) as table:
            table.write(columns)
            written[f"hr/{name}"] = table.rows
    return written


def headcount_on(population: Population, day: dt.date) -> dict[str, int]:
    """Direct headcount per unit code on a day, straight from the simulated employment."""
    ordinal = day.toordinal()
    active = population.active_on(ordinal)
    counts = np.bincount(population.unit_at(active, ordinal), minlength=len(population.tree.units))
    codes = population.tree.codes
    return {codes[unit]: int(count) for unit, count in enumerate(counts.tolist()) if count}


def org_parents_on(tree: OrgTree, day: dt.date) -> dict[str, str | None]:
    parents: dict[str, str | None] = {}
    for unit in tree.open_units(day):
        parent = tree.parent_at(unit, day)
        parents[tree.units[unit].code] = None if parent is None else tree.units[parent].code
    return parents
