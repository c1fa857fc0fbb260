"""apv/apv_YYYYMMDD: snapshots of the APV register (workplace assessment findings).

Two APV rounds three years apart; findings are opened, worked on and closed over time, so each
snapshot shows a different status for the same finding. Poorer climate means more and more severe
findings. People type the descriptions: names, CPR numbers and line breaks end up in them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from culture_dev.generate.formats import (
    CellValue,
    CsvTable,
    DateStyle,
    DialectCycle,
    ExtraColumn,
    date_text,
    styled_header,
    write_xlsx,
)
from culture_dev.generate.names import APV_ACTIONS, APV_FINDINGS, APV_ROLES
from culture_dev.generate.orgtree import OrgTree

COLUMNS = (
    "finding_id", "apv_round", "org_unit_code", "category", "description", "severity",
    "identified_on", "action", "responsible_role", "due_date", "status", "closed_on",
)  # fmt: skip
SEVERITY_WORDS = ("lav", "middel", "høj")
STATUS_SPELLINGS = {
    "open": ("åben", "Åben", "åben"),
    "in_progress": ("i gang", "igang", "I gang"),
    "closed": ("lukket", "Lukket", "afsluttet", "LUKKET"),
}


@dataclass(frozen=True)
class _Finding:
    ident: str
    apv_round: str
    unit: int
    category: str
    description: str
    severity: int
    severity_as_word: bool
    identified: dt.date
    action: str
    role: str
    due: dt.date
    started: dt.date | None
    closed: dt.date | None

    def status_on(self, day: dt.date) -> str:
        if self.closed is not None and self.closed <= day:
            return "closed"
        if self.started is not None and self.started <= day:
            return "in_progress"
        return "open"


@dataclass(frozen=True)
class ApvPlan:
    seed: int
    snapshots: tuple[dt.date, ...]
    last_day: dt.date
    names: tuple[str, ...]
    cpr_pool: tuple[str, ...]


def write_apv_snapshots(
    folder: Path, tree: OrgTree, plan: ApvPlan, dialects: DialectCycle
) -> tuple[dict[str, int], dict[str, Any]]:
    rng = random.Random(f"{plan.seed}:apv")
    findings, cprs = _findings(rng, tree, plan)
    written: dict[str, int] = {}
    for number, day in enumerate(plan.snapshots):
        shown = [f for f in findings if f.identified <= day]
        dialect = dialects.next()
        if number == 1:
            name = f"apv_{day:%Y%m%d}.xlsx"
            rows = (_xlsx_row(rng, tree, f, day) for f in shown)
            header = [styled_header(c, dialect.header_style) for c in COLUMNS]
            stamp = dt.datetime.combine(day, dt.time(23, 0))
            written[f"apv/{name}"] = write_xlsx(folder / name, header, rows, stamp, "APV")
            continue
        name = f"apv_{day:%Y%m%d}.csv"
        extra = ExtraColumn("kommentar", ("", "Drøftet i AMU", "", "Se handlingsplan"))
        with CsvTable(folder / name, COLUMNS, dialect, extra) as table:
            texts = [_text_row(rng, tree, f, day, dialect.date_style) for f in shown]
            table.write({c: [row[i] for row in texts] for i, c in enumerate(COLUMNS)})
            written[f"apv/{name}"] = table.rows
    return written, {"findings": len(findings), "cprs": cprs}


def _findings(rng: random.Random, tree: OrgTree, plan: ApvPlan) -> tuple[list[_Finding], list[str]]:
    year = plan.last_day.year
    rounds = (
        (f"APV{year - 3}", dt.date(year - 3, 4, 1), dt.date(year - 3, 10, 31), 0.9, 0.92),
        (f"APV{year - 1}", dt.date(year - 1, 3, 1), min(plan.last_day, dt.date(year, 6, 30)), 0.75, 0.55),
    )
    findings: list[_Finding] = []
    cprs: list[str] = []
    for apv_round, first, last, coverage, closing in rounds:
        for unit in tree.units:
            if unit.parent is None or not tree.is_open(unit.index, last) or rng.random() > coverage:
                continue
            expected = 1.2 * 2.718 ** (-0.4 * unit.climate)
            for _ in range(_poisson(rng, expected)):
                identified = first + dt.timedelta(days=rng.randint(0, (last - first).days))
                finding, cpr = _finding(rng, plan, len(findings) + 1, apv_round, unit.index,
                                        unit.climate, identified, closing)  # fmt: skip
                findings.append(finding)
                if cpr:
                    cprs.append(cpr)
    return findings, cprs


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only, and `random` keeps the stream independent of NumPy."""
    limit, count, product = 2.718281828 ** (-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _finding(
    rng: random.Random,
    plan: ApvPlan,
    number: int,
    apv_round: str,
    unit: int,
    climate: float,
    identified: dt.date,
    closing: float,
) -> tuple[_Finding, str | None]:
    category = rng.choice(tuple(APV_FINDINGS))
    description = rng.choice(APV_FINDINGS[category])
    cpr = None
    if number == 1 or rng.random() < 0.03:
        cpr = rng.choice(plan.cpr_pool)
        description += f". Vedrører {rng.choice(plan.names)} (CPR {cpr})"
    elif rng.random() < 0.05:
        description += f". Påpeget af {rng.choice(plan.names)}"
    if number == 2 or rng.random() < 0.03:
        description += ".\nSe også bilag fra sikkerhedsrunderingen"
    high = min(0.6, max(0.05, 0.2 - 0.1 * climate))
    draw = rng.random()
    severity = 2 if draw < high else 0 if draw > 0.65 else 1
    started = identified + dt.timedelta(days=rng.randint(7, 60)) if rng.random() < 0.8 else None
    closed: dt.date | None = None
    if rng.random() < closing:
        closed = identified + dt.timedelta(days=int(rng.gammavariate(2.0, 60.0)) + 1)
        closed = closed if closed <= plan.last_day else None
    finding = _Finding(
        ident=f"F{number}",
        apv_round=apv_round,
        unit=unit,
        category=category,
        description=description,
        severity=severity,
        severity_as_word=rng.random() < 0.6,
        identified=identified,
        action=rng.choice(APV_ACTIONS[category]),
        role=rng.choice(APV_ROLES),
        due=identified + dt.timedelta(days=rng.randint(45, 270)),
        started=started if started is None or closed is None or started < closed else None,
        closed=closed,
    )
    return finding, cpr


def _text_row(
    rng: random.Random, tree: OrgTree, finding: _Finding, day: dt.date, style: DateStyle
) -> list[str]:
    status = finding.status_on(day)
    closed = finding.closed if status == "closed" and finding.closed else None
    return [
        finding.ident,
        finding.apv_round,
        tree.units[finding.unit].code,
        finding.category,
        finding.description,
        SEVERITY_WORDS[finding.severity] if finding.severity_as_word else str(finding.severity + 1),
        date_text(finding.identified, style),
        finding.action,
        finding.role,
        date_text(finding.due, style),
        rng.choice(STATUS_SPELLINGS[status]),
        date_text(closed, style) if closed else "",
    ]


def _xlsx_row(rng: random.Random, tree: OrgTree, finding: _Finding, day: dt.date) -> list[CellValue]:
    """Excel keeps unit codes and numeric severities as numbers and dates as dates."""
    status = finding.status_on(day)
    closed = finding.closed if status == "closed" else None
    return [
        finding.ident,
        finding.apv_round,
        int(tree.units[finding.unit].code),
        finding.category,
        finding.description,
        SEVERITY_WORDS[finding.severity] if finding.severity_as_word else finding.severity + 1,
        finding.identified,
        finding.action,
        finding.role,
        finding.due,
        rng.choice(STATUS_SPELLINGS[status]),
        closed,
    ]
