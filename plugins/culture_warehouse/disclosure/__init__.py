"""Disclosure control of the whole publication (rule 5 of indicators.md).

``protect_publication`` (end of the transform stage) adds the secondary suppressions;
``disclosure_gate`` (publish stage, before the swap) audits exactly and names the marts to hold
back. Both record counts in ``audit.disclosure_checks``, never a figure.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Set

import psycopg

from culture_warehouse import audit
from culture_warehouse.disclosure.control import (
    Outcome,
    audit_in_parallel,
    failing_marts,
    protect_in_parallel,
)
from culture_warehouse.disclosure.memo import Recall, Remembered, from_json, to_json
from culture_warehouse.transform import BUILD_SCHEMA
from culture_warehouse.warehouse import connect

log = logging.getLogger(__name__)


def protect_publication(
    dsn: str, run_id: str, k: int, schema: str = BUILD_SCHEMA, remember: bool = True
) -> dict[str, int]:
    """Suppress what rule 5 needs in the built marts; returns extra suppressions per mart.

    A family read from the same inputs as the night before is not built again: it gets that
    night's suppressions (disclosure/memo.py); ``remember=False`` (a full refresh) builds and
    searches every family afresh. Either way tonight's answers are remembered for the next night.
    The kinds of family are searched in processes of their own (``protect_in_parallel``).
    """
    with connect(dsn) as conn:
        memory = _memory(conn) if remember else {}
        if not remember:  # a full refresh: the gate reads and audits every family afresh too
            audit.forget_disclosure_gate_memo(conn)
    outcome = protect_in_parallel(dsn, schema, k, memory)
    with connect(dsn) as conn:
        _record(conn, run_id, "protect", outcome)
        audit.record_disclosure_memo(conn, run_id, _stored(outcome))
    if outcome.recalled:
        log.info("disclosure control: %d families as last night (unchanged)", outcome.recalled)
    for mart, count in sorted(outcome.extra_suppressions.items()):
        log.info("disclosure control: %d extra suppressions in %s", count, mart)
    return outcome.extra_suppressions


def disclosure_gate(
    dsn: str, run_id: str, k: int, skip: Set[str] = frozenset(), schema: str = BUILD_SCHEMA
) -> dict[str, str]:
    """Audit rule 5 over the marts about to be published (``skip``: already held back).

    Returns mart → reason for each mart to hold back. A part of the audit that reads the same
    rows as when it last passed keeps that verdict without reading them (disclosure/gate_memo.py).
    """
    outcome = audit_in_parallel(dsn, schema, k, skip=skip)
    with connect(dsn) as conn:
        _record(conn, run_id, "gate", outcome)
    failures = failing_marts(outcome)
    for mart, reason in sorted(failures.items()):
        log.error("mart %s held back: %s", mart, reason)
    if outcome.recalled:
        log.info(
            "disclosure audit: %d of %d families read the same rows as when they last passed",
            outcome.recalled, len(outcome.audits),
        )  # fmt: skip
    log.info("disclosure audit: %.1f s", outcome.seconds)
    return failures


def _memory(conn: psycopg.Connection) -> Recall:
    return {
        family: Remembered(
            digest,
            from_json(suppressed),
            int(checked["published_cells"]),
            int(checked["secrets"]),
            {str(mart): int(n) for mart, n in checked["cells_by_mart"].items()},
            searched_in,
        )
        for family, (digest, suppressed, checked, searched_in) in audit.disclosure_memo(conn).items()
    }


def _stored(outcome: Outcome) -> list[tuple[str, str, object, object, str]]:
    return [
        (
            family,
            remembered.inputs,
            to_json(remembered.suppressed),
            {
                "published_cells": remembered.published_cells,
                "secrets": remembered.secrets,
                "cells_by_mart": remembered.cells_by_mart,
            },
            remembered.searched_in,
        )
        for family, remembered in outcome.remembered.items()
    ]


def _record(conn: psycopg.Connection, run_id: str, stage: str, outcome: Outcome) -> None:
    cells: Counter[str] = Counter()
    secrets: Counter[str] = Counter()
    determined: Counter[str] = Counter()
    for result in outcome.audits:
        for mart, count in result.cells_by_mart.items():
            cells[mart] += count
            secrets[mart] += result.secrets
        for mart in result.blamed:
            determined[mart] += len(result.determined)
    marts = sorted(set(cells) | set(outcome.extra_suppressions))
    checks = [
        (mart, cells[mart], secrets[mart], determined[mart], outcome.extra_suppressions.get(mart, 0))
        for mart in marts
    ]
    audit.record_disclosure_checks(conn, run_id, stage, outcome.seconds, checks)
