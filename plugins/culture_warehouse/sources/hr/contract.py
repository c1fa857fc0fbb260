"""HR exports (contracts/hr.md): org tree and employee snapshots, absence deltas, events."""

from __future__ import annotations

from culture_warehouse.contract import (
    Column,
    Kind,
    TabularSource,
    dated,
    not_before,
    not_negative,
    within,
)

EMPLOYEES = TabularSource(
    source="hr",
    entity="employees",
    pattern=dated("employees"),
    description="full snapshot of current and former employees on the extract date",
    columns=(
        Column("employee_number", Kind.EMPLOYEE, required=True),
        Column("org_unit_code", Kind.CODE, required=True),
        Column("hire_date", Kind.DATE, required=True),
        Column("termination_date", Kind.DATE),
        Column("termination_reason", Kind.TEXT),
        Column("fte", Kind.DECIMAL),
        Column("birth_year", Kind.INTEGER),
        Column("gender", Kind.TEXT),
        Column("job_family", Kind.TEXT),
        Column("job_title", Kind.TEXT),
        Column("employment_type", Kind.TEXT),
        Column("is_manager", Kind.BOOLEAN),
    ),
    row_rules=(not_before("termination_date", "hire_date"), within("fte", 0, 1)),
)

ORG_UNITS = TabularSource(
    source="hr",
    entity="org_units",
    pattern=dated("org_units"),
    description="full snapshot of the org tree on the extract date",
    columns=(
        Column("org_unit_code", Kind.CODE, required=True),
        Column("name", Kind.TEXT, required=True),
        Column("parent_code", Kind.CODE),
        Column("institution_code", Kind.CODE, required=True),
        Column("unit_type", Kind.TEXT),
        Column("manager_employee_number", Kind.EMPLOYEE),
    ),
)

ABSENCE = TabularSource(
    source="hr",
    entity="absence",
    pattern=dated("absence"),
    description="absence spells created or changed since the previous extract",
    columns=(
        Column("absence_id", Kind.CODE, required=True),
        Column("employee_number", Kind.EMPLOYEE, required=True),
        Column("absence_type", Kind.TEXT, required=True),
        Column("start_date", Kind.DATE, required=True),
        Column("end_date", Kind.DATE),
        Column("workdays", Kind.DECIMAL, required=True),
        Column("deleted", Kind.BOOLEAN),
        Column("last_modified", Kind.TIMESTAMP, required=True),
    ),
    row_rules=(not_before("end_date", "start_date"), not_negative("workdays")),
)

MUS = TabularSource(
    source="hr",
    entity="mus",
    pattern=dated("mus"),
    description="development dialogues held (MUS, LUS, GRUS)",
    columns=(
        Column("dialogue_id", Kind.CODE, required=True),
        Column("employee_number", Kind.EMPLOYEE, required=True),
        Column("dialogue_type", Kind.TEXT, required=True),
        Column("held_on", Kind.DATE, required=True),
    ),
)

COMPETENCE = TabularSource(
    source="hr",
    entity="competence",
    pattern=dated("competence"),
    description="completed competence development activities",
    columns=(
        Column("activity_id", Kind.CODE, required=True),
        Column("employee_number", Kind.EMPLOYEE, required=True),
        Column("activity_type", Kind.TEXT),
        Column("title", Kind.FREE_TEXT),
        Column("hours", Kind.DECIMAL, required=True),
        Column("cost_dkk", Kind.DECIMAL),
        Column("completed_on", Kind.DATE, required=True),
    ),
    row_rules=(not_negative("hours"),),
)

MOBILITY = TabularSource(
    source="hr",
    entity="mobility",
    pattern=dated("mobility"),
    description="lending, borrowing and internal moves of staff",
    columns=(
        Column("mobility_id", Kind.CODE, required=True),
        Column("employee_number", Kind.EMPLOYEE, required=True),
        Column("mobility_type", Kind.TEXT, required=True),
        Column("from_org_unit_code", Kind.CODE),
        Column("to_org_unit_code", Kind.CODE),
        Column("from_institution_code", Kind.CODE),
        Column("to_institution_code", Kind.CODE),
        Column("start_date", Kind.DATE, required=True),
        Column("end_date", Kind.DATE),
    ),
    row_rules=(not_before("end_date", "start_date"),),
)

PERFORMANCE = TabularSource(
    source="hr",
    entity="performance",
    pattern=dated("performance"),
    description="PULS performance reviews",
    columns=(
        Column("review_id", Kind.CODE, required=True),
        Column("employee_number", Kind.EMPLOYEE, required=True),
        Column("period", Kind.INTEGER, required=True),
        Column("rating", Kind.INTEGER, required=True),
        Column("reviewed_on", Kind.DATE),
    ),
    # A review period is a year: a review without reviewed_on is dated 31 December of it.
    row_rules=(within("rating", 1, 5), within("period", 1900, 2100)),
)

HR_SOURCES = (ORG_UNITS, EMPLOYEES, ABSENCE, MUS, COMPETENCE, MOBILITY, PERFORMANCE)
