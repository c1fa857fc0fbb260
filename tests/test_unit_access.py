"""Per-unit access: a BI login granted a unit reads only that unit's subtree in the unit marts.

The fast tests build a small published tree by hand (``marts.dim_org_unit`` with a moved and a
closed unit) and apply the same functions the publish applies; the slow test does it through
whole nights (tests/test_unit_access_night.py). Logins are server-wide roles, so each test
makes its own and drops them; pgserver trusts local connections, so a login is a DSN.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import psycopg
import pytest

from culture_warehouse import access
from culture_warehouse.cli import main
from culture_warehouse.warehouse import BI_ROLE

# unit, parent, valid_from: 2130 moved from 2200 to 2100 in 2026; 2140 closed in 2025 under 2100;
# 2210 left 2100 for 2200 in 2026.
VERSIONS = [
    ("2000", None, "1900-01-01"),
    ("2100", "2000", "1900-01-01"),
    ("2110", "2100", "1900-01-01"),
    ("2111", "2110", "1900-01-01"),
    ("2130", "2200", "1900-01-01"),
    ("2130", "2100", "2026-01-01"),
    ("2140", "2100", "1900-01-01"),
    ("2200", "2000", "1900-01-01"),
    ("2210", "2100", "1900-01-01"),
    ("2210", "2200", "2026-01-01"),
]
SUBTREE_2100 = {"2100", "2110", "2111", "2130", "2140"}
ALL_UNITS = {unit for unit, _, _ in VERSIONS}


def as_role(dsn: str, role: str) -> str:
    url = urlparse(dsn)
    return url._replace(netloc=f"{role}@{url.netloc.rpartition('@')[2]}").geturl()


@pytest.fixture
def published(warehouse_dsn: str) -> str:
    """A warehouse whose marts hold a small org tree, one unit mart and one unit-less mart,
    protected as the publish protects them."""
    access.prepare(warehouse_dsn)
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute(
            "create table marts.dim_org_unit (org_unit_code text, parent_code text, valid_from date)"
        )
        with conn.cursor() as cur:
            cur.executemany("insert into marts.dim_org_unit values (%s, %s, %s)", VERSIONS)
        conn.execute(
            "create table marts.absence_monthly as select org_unit_code, month_start"
            " from (select distinct org_unit_code from marts.dim_org_unit) u"
            " cross join generate_series(date '2025-01-01', date '2026-06-01', interval '1 month')"
            " as month_start"
        )
        conn.execute("create table marts.indicator_catalog as select 'trust_index' as indicator_id")
        access.refresh_unit_tree(conn, "marts")
        access.protect_unit_marts(conn, "marts")
        conn.execute(f"grant usage on schema marts to {BI_ROLE}")
        conn.execute(f"grant select on all tables in schema marts to {BI_ROLE}")
    return warehouse_dsn


@pytest.fixture
def login(pg_server: str) -> Iterator[Callable[..., str]]:
    """Make a login (in culture_bi_reader unless told otherwise); dropped after the test."""
    made: list[str] = []

    def make(in_bi_role: bool = True, can_login: bool = True) -> str:
        name = f"bi_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(
                f"create role {name} {'login' if can_login else 'nologin'}"
                + (f" in role {BI_ROLE}" if in_bi_role else "")
            )
        made.append(name)
        return name

    yield make
    with psycopg.connect(pg_server, autocommit=True) as admin:
        for name in made:
            admin.execute(f"drop role if exists {name}")


def units_seen(conn: psycopg.Connection, mart: str = "absence_monthly") -> set[str]:
    return {str(row[0]) for row in conn.execute(f"select distinct org_unit_code from marts.{mart}")}


def test_a_login_granted_a_unit_reads_its_current_subtree_with_history(
    published: str, login: Callable[..., str]
) -> None:
    anna = login()
    access.grant_unit(published, anna, "2100")
    with psycopg.connect(as_role(published, anna)) as conn:
        # 2130 moved in (its earlier rows too), 2140 closed under 2100, 2210 moved out.
        assert units_seen(conn) == SUBTREE_2100
        assert units_seen(conn, "dim_org_unit") == SUBTREE_2100
        assert conn.execute("select count(*) from marts.indicator_catalog").fetchone() == (1,)
        rows = conn.execute("select count(*) from marts.absence_monthly").fetchone()
    assert rows == (len(SUBTREE_2100) * 18,)


def test_a_bi_login_without_a_grant_reads_every_unit(published: str, login: Callable[..., str]) -> None:
    anna, bo = login(), login()
    access.grant_unit(published, anna, "2100")
    with psycopg.connect(as_role(published, bo)) as conn:
        assert units_seen(conn) == ALL_UNITS


def test_two_grants_read_both_subtrees(published: str, login: Callable[..., str]) -> None:
    anna = login()
    access.grant_unit(published, anna, "2110")
    access.grant_unit(published, anna, "2200")
    with psycopg.connect(as_role(published, anna)) as conn:
        assert units_seen(conn) == {"2110", "2111", "2200", "2210"}


def test_revoke_takes_effect_at_once_in_an_open_session(published: str, login: Callable[..., str]) -> None:
    anna = login()
    access.grant_unit(published, anna, "2110")
    with psycopg.connect(as_role(published, anna), autocommit=True) as conn:
        assert units_seen(conn) == {"2110", "2111"}
        access.grant_unit(published, anna, "2130")
        assert units_seen(conn) == {"2110", "2111", "2130"}
        assert access.revoke_unit(published, anna, "2110") == 1
        assert units_seen(conn) == {"2130"}
        assert access.revoke_unit(published, anna) == 1
        assert units_seen(conn) == ALL_UNITS


def test_a_restricted_login_cannot_widen_its_scope_by_set_role_to_the_bi_group(
    published: str, login: Callable[..., str]
) -> None:
    anna = login()
    access.grant_unit(published, anna, "2110")
    with psycopg.connect(as_role(published, anna)) as conn:
        conn.execute(f"set role {BI_ROLE}")
        assert units_seen(conn) == {"2110", "2111"}


def test_a_role_a_shared_bi_login_switches_to_reads_that_roles_units(
    published: str, login: Callable[..., str]
) -> None:
    service = login()
    manager_role = login(in_bi_role=False, can_login=False)
    with psycopg.connect(published, autocommit=True) as admin:
        admin.execute(f"grant {manager_role} to {service}")
    access.grant_unit(published, manager_role, "2200")
    with psycopg.connect(as_role(published, service)) as conn:
        assert units_seen(conn) == ALL_UNITS  # the service login itself has no grant
        conn.execute(f"set role {manager_role}")  # as Metabase's impersonation does
        assert conn.execute("select current_user").fetchone() == (manager_role,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select 1 from marts.absence_monthly")  # the role itself is no BI reader
    with psycopg.connect(published, autocommit=True) as admin:
        admin.execute(f"grant {BI_ROLE} to {manager_role}")
    with psycopg.connect(as_role(published, service)) as conn:
        conn.execute(f"set role {manager_role}")
        assert units_seen(conn) == {"2200", "2210"}


def test_a_bi_login_cannot_read_the_grants_or_the_tree_behind_them(
    published: str, login: Callable[..., str]
) -> None:
    anna, bo = login(), login()
    access.grant_unit(published, anna, "2110")
    access.grant_unit(published, bo, "2200")
    for table in ("access.unit_grants", "access.unit_tree"):
        with (
            psycopg.connect(as_role(published, anna)) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute(f"select * from {table}")
    with psycopg.connect(as_role(published, anna)) as conn:
        assert conn.execute("select unit_code from access.my_unit_grants").fetchall() == [("2110",)]


def test_the_policy_reads_the_grants_once_per_query_not_per_row(
    published: str, login: Callable[..., str]
) -> None:
    anna = login()
    access.grant_unit(published, anna, "2100")
    with psycopg.connect(as_role(published, anna)) as conn:
        plan = "\n".join(str(r[0]) for r in conn.execute("explain select * from marts.absence_monthly"))
    assert "hashed SubPlan" in plan, plan
    assert "Recursive" not in plan


def test_a_nights_prepare_does_not_wait_for_bi_sessions_that_read_the_unit_marts(
    published: str, login: Callable[..., str]
) -> None:
    anna = login()
    access.grant_unit(published, anna, "2110")
    with psycopg.connect(as_role(published, anna)) as reading:
        assert units_seen(reading) == {"2110", "2111"}  # its transaction holds the views it read
        access.prepare(
            published + ("&" if "?" in published else "?") + "options=-c%20lock_timeout%3D1s"
        )  # replacing a view would time out
        assert units_seen(reading) == {"2110", "2111"}


@pytest.mark.parametrize(
    ("role", "unit", "refusal"),
    [
        ("no_such_login_x1", "2100", "no role"),
        (BI_ROLE, "2100", "grants are per login"),
        ("{login}", "9999", "not in the published org tree"),
        ("{owner}", "2100", "bypasses row-level security"),
    ],
)
def test_a_grant_that_would_not_restrict_anything_is_refused(
    published: str, login: Callable[..., str], role: str, unit: str, refusal: str
) -> None:
    with psycopg.connect(published) as conn:
        owner = str(conn.execute("select current_user").fetchone()[0])  # type: ignore[index]
    role = role.format(login=login() if role == "{login}" else "", owner=owner)
    with pytest.raises(access.AccessRefused, match=refusal):
        access.grant_unit(published, role, unit)


def test_culture_access_grants_lists_and_revokes_without_echoing_the_password(
    published: str, login: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    anna = login()
    url = urlparse(published)
    secret_dsn = url._replace(
        netloc=f"{url.username or 'postgres'}:s3cret-pw@{url.netloc.rpartition('@')[2]}"
    )
    dsn = secret_dsn.geturl()
    assert main(["access", "grant", "--dsn", dsn, "--role", anna, "--unit", "2100"]) == 0
    assert main(["access", "list", "--dsn", dsn]) == 0
    assert main(["access", "grant", "--dsn", dsn, "--role", anna, "--unit", "9999"]) == 2
    granted = capsys.readouterr()
    assert f"{anna} now reads unit 2100 and the units under it ({len(SUBTREE_2100)} units)" in granted.out
    assert f"{anna}\t2100\t{len(SUBTREE_2100)} units" in granted.out
    assert "not in the published org tree" in granted.err
    assert main(["access", "revoke", "--dsn", dsn, "--role", anna]) == 0
    revoked = capsys.readouterr()
    assert "1 grant(s)" in revoked.out and "every unit (no grant left)" in revoked.out
    assert "s3cret" not in granted.out + granted.err + revoked.out + revoked.err
