"""APV register snapshots (contracts/apv-minutes-results.md)."""

from __future__ import annotations

from culture_warehouse.sources.base import Column, Delivery, Kind, TabularSource, dated

FINDINGS = TabularSource(
    source="apv",
    entity="findings",
    pattern=dated("apv", "csv|xlsx"),
    delivery=Delivery.SNAPSHOT,
    key=("finding_id",),
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
)

APV_SOURCES = (FINDINGS,)
