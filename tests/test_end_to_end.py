"""`culture run` end to end: the CLI runs the real DAG on a generated drop into a fresh database,
and the published figures match what this test counts itself from the generated files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from culture_dev.generate import generate_landing
from nights import query

AS_OF = dt.date(2026, 10, 1)
PERIOD_END = dt.date(2026, 9, 30)
CULTURE = Path(sys.executable).with_name("culture")

pytestmark = pytest.mark.slow


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text[:10], pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_csv(path: Path) -> list[dict[str, str]]:
    """A plain reading of one generated CSV, independent of the pipeline's reader."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [{k.strip().lower(): (v or "") for k, v in row.items() if k} for row in reader]


def latest(folder: Path, prefix: str, on_or_before: dt.date) -> Path:
    dated = [
        (dt.datetime.strptime(m.group(1), "%Y%m%d").date(), p)
        for p in folder.glob(f"{prefix}_*.csv")
        if (m := re.fullmatch(rf"{prefix}_(\d{{8}})\.csv", p.name))
    ]
    return max((d, p) for d, p in dated if d <= on_or_before)[1]


def expected_headcounts(landing: Path) -> tuple[int, Counter[str], dict[str, str | None]]:
    """Employees employed on the period end, from the last snapshot taken on that very day."""
    snapshot = latest(landing / "hr", "employees", PERIOD_END)
    units = read_csv(latest(landing / "hr", "org_units", PERIOD_END))
    parents = {u["org_unit_code"].strip(): (u.get("parent_code") or "").strip() or None for u in units}
    direct: Counter[str] = Counter()
    total = 0
    for row in read_csv(snapshot):
        hired = parse_date(row["hire_date"])
        ended = parse_date(row.get("termination_date", ""))
        if hired and hired <= PERIOD_END and (ended is None or ended >= PERIOD_END):
            direct[row["org_unit_code"].strip()] += 1
            total += 1
    return total, direct, parents


def test_culture_run_publishes_marts_whose_headcounts_match_the_generated_files(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    summary = generate_landing(landing, employees=400, seed=7, as_of=AS_OF)
    env = {**os.environ, "CULTURE_WAREHOUSE_DSN": ""}
    done = subprocess.run(
        [str(CULTURE), "run", "--landing", str(landing), "--dsn", warehouse_dsn, "--as-of", str(AS_OF)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "published" in done.stdout
    assert "marts published: " in done.stdout

    total, direct, parents = expected_headcounts(landing)
    roots = [code for code, parent in parents.items() if parent is None or parent not in parents]
    leaves = [code for code in parents if code not in set(parents.values())]
    published = dict(
        query(
            warehouse_dsn,
            "select org_unit_code, n_employees from marts.culture_scorecard where period_end = %s",
            PERIOD_END,
        )
    )
    assert sum(published[root] for root in roots) == total
    for leaf in leaves:
        assert published[leaf] == direct.get(leaf, 0), leaf
    assert summary.employees == 400

    grants = query(
        warehouse_dsn,
        "select table_schema, privilege_type from information_schema.role_table_grants"
        " where grantee = 'culture_bi_reader' and table_schema <> 'access' group by 1, 2",
    )
    assert grants == [("marts", "SELECT")]
    # Outside marts, BI reads only the two views of its own per-unit grants.
    own_grants = query(
        warehouse_dsn,
        "select table_name, privilege_type from information_schema.role_table_grants"
        " where grantee = 'culture_bi_reader' and table_schema = 'access' order by 1",
    )
    assert own_grants == [("my_unit_grants", "SELECT"), ("my_units", "SELECT")]
    ledger = dict(query(warehouse_dsn, "select status, count(*) from audit.load_ledger group by status"))
    assert ledger.get("loaded", 0) >= 20

    # The marts' documentation reaches PostgreSQL's comments, which BI tools show.
    described = dict(
        query(
            warehouse_dsn,
            "select c.relname, obj_description(c.oid, 'pg_class') from pg_class c"
            " join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'marts' and c.relkind = 'r'",
        )
    )
    assert described["culture_scorecard"] and described["absence_monthly"] and described["dim_org_unit"]
    column = query(
        warehouse_dsn,
        "select col_description(a.attrelid, a.attnum) from pg_attribute a"
        " where a.attrelid = 'marts.culture_scorecard'::regclass and a.attname = 'n_employees'",
    )
    assert column[0][0]

    secrets = sorted({*summary.truth["cprs"], *summary.truth["free_text_cprs"]})
    assert secrets, "the generated drop must contain CPR numbers for this check to mean anything"
    assert cpr_like_text_in_database(warehouse_dsn, secrets) == []
    assert (
        files_containing([Path(os.environ["CULTURE_HOME"]), Path(os.environ["AIRFLOW_HOME"])], secrets) == []
    )


# A CPR number as a token of its own; pseudonyms are hex strings and may hold ten digits in a row.
CPR_TOKEN = r"(^|[^0-9A-Za-z])[0-3][0-9][01][0-9][0-9]{2}-?[0-9]{4}($|[^0-9A-Za-z])"


def cpr_like_text_in_database(dsn: str, secrets: list[str]) -> list[str]:
    """Every column of every table (validation results included) holding a CPR-like token."""
    hits = []
    candidates = {secret.replace("-", "") for secret in secrets} | set(secrets)
    columns = query(
        dsn,
        "select table_schema, table_name, column_name from information_schema.columns"
        " where table_schema not in ('pg_catalog', 'information_schema')"
        " and data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY')",
    )
    for schema, table, column in columns:
        found = query(
            dsn, f'select "{column}"::text from "{schema}"."{table}" where "{column}"::text ~ %s', CPR_TOKEN
        )
        for (text,) in found:
            for candidate in candidates:
                if candidate in text:
                    hits.append(f"{schema}.{table}.{column}")
    return sorted(set(hits))


def files_containing(folders: list[Path], secrets: list[str]) -> list[str]:
    """Log files, dbt artefacts, GX output and Airflow's metadata database (XCom) holding a CPR."""
    needles = [s.encode() for s in secrets] + [s.replace("-", "").encode() for s in secrets]
    hits = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and "pgdata" not in path.parts and path.stat().st_size < 200_000_000:
                data = path.read_bytes()
                if any(needle in data for needle in needles):
                    hits.append(str(path))
    return hits
