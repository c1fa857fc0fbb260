"""APV register snapshots (contracts/apv-minutes-results.md)."""

from __future__ import annotations

from culture_warehouse.contract import Column, Kind, RowRule, TabularSource, dated, not_before

STATUS_SPELLINGS = ("åben", "igang", "lukket", "afsluttet")
"""Statuses the register writes, compared in lower case without spaces (``I gang`` is ``igang``);
``afsluttet`` is ``lukket``. staging/apv/stg_apv__findings.sql maps the same spellings."""


def _known_status(row: dict[str, str | None]) -> bool:
    status = row.get("status")
    return status is None or "".join(status.casefold().split()) in STATUS_SPELLINGS


FINDINGS = TabularSource(
    source="apv",
    entity="findings",
    pattern=dated("apv", "csv|xlsx"),
    xlsx_allowed=True,
    description="full snapshot of the APV register: findings, action plan and status",
    columns=(
        Column("finding_id", Kind.CODE, required=True),
        Column("apv_round", Kind.TEXT, required=True),
        Column("org_unit_code", Kind.CODE, required=True),
        Column("category", Kind.TEXT, required=True),
        Column("description", Kind.FREE_TEXT),
        Column("severity", Kind.TEXT),
        Column("identified_on", Kind.DATE, required=True),
        Column("action", Kind.FREE_TEXT),
        Column("responsible_role", Kind.TEXT),
        Column("due_date", Kind.DATE),
        Column("status", Kind.TEXT, required=True),
        Column("closed_on", Kind.DATE),
    ),
    row_rules=(
        # An unknown status cannot be counted as open or closed, so the row is held back with a
        # reason rather than guessed at.
        RowRule("status", "status is not åben, i gang or lukket (or afsluttet)", _known_status),
        not_before("closed_on", "identified_on"),
    ),
)

APV_SOURCES = (FINDINGS,)
