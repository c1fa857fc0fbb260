"""The run summary an operator reads after a night: files, rows, quarantine, marts, headlines."""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg


@dataclass
class RunReport:
    run_id: str
    status: str
    reason: str | None
    files: dict[str, int] = field(default_factory=dict)
    rows_loaded: int = 0
    rows_quarantined: int = 0
    marts: dict[str, int] = field(default_factory=dict)
    headlines: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [f"night {self.run_id}: {self.status}" + (f" ({self.reason})" if self.reason else "")]
        files = ", ".join(f"{n} {status}" for status, n in sorted(self.files.items())) or "none new"
        lines.append(f"  files: {files}")
        lines.append(f"  rows loaded: {self.rows_loaded:,}   rows quarantined: {self.rows_quarantined:,}")
        for rejection in self.rejected[:10]:
            lines.append(f"  rejected: {rejection}")
        if len(self.rejected) > 10:
            lines.append(f"  … and {len(self.rejected) - 10} more rejected files (audit.load_ledger)")
        if self.marts:
            marts = ", ".join(f"{name} ({rows:,})" for name, rows in sorted(self.marts.items()))
            lines.append(f"  marts published: {marts}")
        for kept in self.kept:
            lines.append(f"  kept from an earlier night: {kept}")
        lines.extend(f"  {headline}" for headline in self.headlines)
        return "\n".join(lines)


def run_report(conn: psycopg.Connection, run_id: str) -> RunReport:
    """Collect the summary of one run from the audit schema and the published marts."""
    run = conn.execute("select status, reason from audit.runs where run_id = %s", (run_id,)).fetchone()
    status, reason = (str(run[0]), run[1]) if run else ("unknown", None)
    report = RunReport(run_id=run_id, status=status, reason=reason)
    for file_status, count, loaded, quarantined in conn.execute(
        "select status, count(*), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0)"
        " from audit.load_ledger where run_id = %s group by status",
        (run_id,),
    ).fetchall():
        report.files[str(file_status)] = int(count)
        report.rows_loaded += int(loaded)
        report.rows_quarantined += int(quarantined)
    report.rejected = [
        f"{path}: {why}"
        for path, why in conn.execute(
            "select path, reason from audit.load_ledger where run_id = %s and status = 'rejected'"
            " order by path",
            (run_id,),
        ).fetchall()
    ]
    if status in ("published", "partial"):
        kept: dict[str, str] = dict(
            conn.execute(
                "select mart, reason from audit.mart_outcomes where run_id = %s and status = 'kept'"
                " order by mart",
                (run_id,),
            ).fetchall()
        )
        report.kept = [f"{mart}: {why}" for mart, why in kept.items()]
        report.marts = {name: rows for name, rows in _mart_sizes(conn).items() if name not in kept}
        if "culture_scorecard" in report.marts:
            report.headlines = _headlines(conn)
    return report


def _mart_sizes(conn: psycopg.Connection) -> dict[str, int]:
    names = conn.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()
    return {
        str(name): int(conn.execute(f'select count(*) from marts."{name}"').fetchone()[0])  # type: ignore[index]
        for (name,) in names
    }


def _headlines(conn: psycopg.Connection) -> list[str]:
    """Root units' figures for the latest quarter: what leadership would look at first."""
    rows = conn.execute(
        """
        select org_unit_code, org_unit_name, period_end, n_employees
        from marts.culture_scorecard
        where org_level = 1 and period_end = (select max(period_end) from marts.culture_scorecard)
        order by org_unit_code
        limit 5
        """
    ).fetchall()
    return [
        f"{code} {name}, quarter ending {period_end}: {n} employees" for code, name, period_end, n in rows
    ]
