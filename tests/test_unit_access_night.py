"""Per-unit access through whole nights: a login granted a unit with children reads exactly that
unit's subtree in every unit-grained mart a night publishes, nothing outside ``marts``, and keeps
its scope across the next night's schema swap; revoked, it reads everything again at once.

The expected subtree is worked out here from ``marts.dim_org_unit`` read as the owner (each unit
under its latest parent), not from ``access.unit_tree``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from culture_dev.generate.landing import generate_landing
from culture_warehouse import access
from culture_warehouse.warehouse import BI_ROLE, bootstrap
from nights import query, run_night

pytestmark = pytest.mark.slow  # whole nights through dbt

AS_OF = dt.date(2026, 10, 1)
UNIT_MARTS = {
    "absence_monthly",
    "apv_findings_status",
    "committee_activity",
    "culture_scorecard",
    "dim_org_unit",
    "mtu_breakdown_results",
    "mtu_dimension_results",
    "mtu_question_results",
}
UNITLESS_MARTS = {"indicator_catalog", "publication_status", "source_freshness"}
NOT_FOR_BI = (
    "access.unit_grants",
    "access.unit_tree",
    "raw.hr_employees",
    "staging.stg_hr__employees",
    "intermediate.int_org_closure",
    "audit.runs",
    "audit.load_ledger",
    "marts_previous.culture_scorecard",
)


def as_role(dsn: str, role: str) -> str:
    url = urlparse(dsn)
    return url._replace(netloc=f"{role}@{url.netloc.rpartition('@')[2]}").geturl()


@pytest.fixture
def bi_login(pg_server: str, warehouse_dsn: str) -> Iterator[str]:
    name = f"bi_{uuid.uuid4().hex[:10]}"
    bootstrap(warehouse_dsn)  # creates culture_bi_reader on a new server
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"create role {name} login in role {BI_ROLE}")
    yield name
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"drop role if exists {name}")


def subtrees(dsn: str) -> dict[str, set[str]]:
    """unit → itself and every unit below it, each unit placed under its latest parent."""
    rows = query(dsn, "select org_unit_code, parent_code, valid_from from marts.dim_org_unit")
    parent: dict[str, str | None] = {}
    for unit, up, _ in sorted(rows, key=lambda r: r[2]):
        parent[str(unit)] = None if up is None else str(up)
    below: dict[str, set[str]] = {unit: set() for unit in parent}
    for unit in parent:
        seen, node = set(), unit
        while node is not None and node not in seen:
            seen.add(node)
            below.setdefault(node, set()).add(unit)
            node = parent.get(node)
    return below


def digest(dsn: str, mart: str, units: set[str] | None = None) -> tuple[object, ...]:
    where = "" if units is None else "where org_unit_code = any(%s)"
    sql = f"select count(*), md5(string_agg(t::text, '' order by t::text)) from marts.{mart} t {where}"
    return query(dsn, sql, *([] if units is None else [sorted(units)]))[0]


def assert_reads_exactly(owner: str, login: str, units: set[str] | None) -> None:
    for mart in sorted(UNIT_MARTS):
        assert digest(login, mart) == digest(owner, mart, units), mart
    for mart in sorted(UNITLESS_MARTS):
        assert digest(login, mart) == digest(owner, mart), mart


def test_a_login_granted_a_unit_reads_exactly_its_subtree_in_every_unit_mart_across_nights(
    warehouse_dsn: str, tmp_path: Path, bi_login: str
) -> None:
    generate_landing(tmp_path, employees=300, seed=5, as_of=AS_OF)
    run_night(tmp_path, AS_OF)
    with psycopg.connect(warehouse_dsn) as conn:
        assert set(access.unit_marts(conn, "marts")) == UNIT_MARTS
    below = subtrees(warehouse_dsn)
    roots = {u for u in below if not any(u in units for v, units in below.items() if v != u)}
    unit = max((u for u in below if u not in roots), key=lambda u: (len(below[u]), u))
    subtree = below[unit]
    assert 2 < len(subtree) < len(below)
    login = as_role(warehouse_dsn, bi_login)

    access.grant_unit(warehouse_dsn, bi_login, unit)
    assert_reads_exactly(warehouse_dsn, login, subtree)
    assert 0 < digest(login, "culture_scorecard")[0] < digest(warehouse_dsn, "culture_scorecard")[0]  # type: ignore[operator]

    run_night(tmp_path, AS_OF)  # the swap replaces every mart table: the grant still holds
    assert_reads_exactly(warehouse_dsn, login, subtree)
    for table in NOT_FOR_BI:
        with psycopg.connect(login) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"select 1 from {table} limit 1")

    with psycopg.connect(login, autocommit=True) as session:
        assert query(login, "select count(distinct org_unit_code) from marts.culture_scorecard")[0][0] <= len(
            subtree
        )
        access.revoke_unit(warehouse_dsn, bi_login, unit)
        row = session.execute("select count(distinct org_unit_code) from marts.dim_org_unit").fetchone()
    assert row == (len(below),)
    assert_reads_exactly(warehouse_dsn, login, None)
