"""The warehouse runs as a non-superuser owner, and the init script of the Docker Compose
deployment (docker/postgres-init) separates Airflow's metadata from the warehouse.

The init script is run with psql on a private embedded PostgreSQL (it creates server-wide roles),
its secrets read from files as the postgres image would; the night is then prepared (and, in the
slow suite, run to publication and read by a BI login) as ``culture_etl``. The README's "A real
PostgreSQL" statements are the same. pgserver trusts local connections, so a password is checked
against the verifier PostgreSQL stored rather than by logging in; role attributes, ownership and
CONNECT are checked by PostgreSQL itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from culture_warehouse import access, pipeline, warehouse
from culture_warehouse.leader_report import build_report
from culture_warehouse.warehouse import BI_ROLE, MissingBiRole, bootstrap
from drops import write_hr_drop
from nights import run_night

ROOT = Path(__file__).resolve().parents[1]
INIT_SQL = ROOT / "docker" / "postgres-init" / "01-roles-and-databases.sql"
SECRETS = {"airflow_db_password": "airflow-pw\n", "warehouse_password": "warehouse-pw\n"}


def as_role(dsn: str, role: str, database: str | None = None) -> str:
    """The server DSN logging in as another role (pgserver trusts local connections)."""
    url = urlparse(dsn)
    host = url.netloc.rpartition("@")[2]
    path = f"/{database}" if database else url.path
    return url._replace(netloc=f"{role}@{host}", path=path).geturl()


def role_attributes(dsn: str, role: str) -> tuple[object, ...]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "select rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin"
            " from pg_roles where rolname = %s",
            (role,),
        ).fetchone()
    assert row is not None, role
    return tuple(row)


def can_connect(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn) as conn:
            conn.execute("select 1")
    except psycopg.OperationalError as refused:
        assert "permission denied for database" in str(refused)
        return False
    return True


def run_init_script(server_dsn: str, secrets: Path) -> subprocess.CompletedProcess[str]:
    """The init script as the postgres image runs it, its /run/secrets read from ``secrets``."""
    from pgserver._commands import POSTGRES_BIN_PATH

    script = secrets / "init.sql"
    script.write_text(INIT_SQL.read_text(encoding="utf-8").replace("/run/secrets/", f"{secrets}/"))
    psql = str(POSTGRES_BIN_PATH / "psql")
    return subprocess.run(
        [psql, "-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-f", str(script), server_dsn],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture(scope="module")
def compose_postgres() -> Iterator[str]:
    """A private PostgreSQL on which the compose init script has run; its superuser DSN."""
    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="culture-test-init-"))
    server = pgserver.get_server(folder, cleanup_mode="delete")
    try:
        dsn = str(server.get_uri())
        secrets = Path(tempfile.mkdtemp(prefix="culture-test-secrets-"))
        for name, value in SECRETS.items():
            (secrets / name).write_text(value, encoding="utf-8")
        done = run_init_script(dsn, secrets)
        assert done.returncode == 0, done.stderr
        yield dsn
    finally:
        server.cleanup()


def test_init_script_makes_a_warehouse_owner_that_is_no_superuser(compose_postgres: str) -> None:
    # superuser, createrole, createdb, replication, bypassrls, login
    assert role_attributes(compose_postgres, "culture_etl") == (False, False, False, False, False, True)
    assert role_attributes(compose_postgres, "airflow") == (False, False, False, False, False, True)
    assert role_attributes(compose_postgres, BI_ROLE)[:5] == (False,) * 5
    assert role_attributes(compose_postgres, BI_ROLE)[5] is False  # no login of its own


def test_init_script_gives_each_database_its_own_owner(compose_postgres: str) -> None:
    with psycopg.connect(compose_postgres) as conn:
        owners = dict(
            conn.execute(
                "select datname, pg_get_userbyid(datdba) from pg_database"
                " where datname in ('airflow', 'warehouse')"
            ).fetchall()
        )
    assert owners == {"airflow": "airflow", "warehouse": "culture_etl"}


def scram_matches(verifier: str, password: str) -> bool:
    """Whether a stored SCRAM-SHA-256 verifier (RFC 5803) was made from this password."""
    method, rest = verifier.split("$", 1)
    assert method == "SCRAM-SHA-256"
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = base64.b64decode(keys.split(":")[0])
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return hashlib.sha256(client_key).digest() == stored_key


def test_init_script_sets_the_passwords_from_the_secret_files(compose_postgres: str) -> None:
    with psycopg.connect(compose_postgres) as conn:
        for role, secret in (("airflow", "airflow_db_password"), ("culture_etl", "warehouse_password")):
            row = conn.execute("select rolpassword from pg_authid where rolname = %s", (role,)).fetchone()
            assert row is not None
            assert scram_matches(str(row[0]), SECRETS[secret].rstrip("\n")), role


def test_only_the_owner_may_connect_to_each_database(compose_postgres: str) -> None:
    with psycopg.connect(compose_postgres, autocommit=True) as conn:
        conn.execute("create role some_login login")
        conn.execute("create role bi_login login in role culture_bi_reader")
    assert can_connect(as_role(compose_postgres, "culture_etl", "warehouse"))
    assert not can_connect(as_role(compose_postgres, "culture_etl", "airflow"))
    assert can_connect(as_role(compose_postgres, "airflow", "airflow"))
    assert not can_connect(as_role(compose_postgres, "airflow", "warehouse"))
    assert can_connect(as_role(compose_postgres, "bi_login", "warehouse"))
    assert not can_connect(as_role(compose_postgres, "bi_login", "airflow"))
    assert not can_connect(as_role(compose_postgres, "some_login", "warehouse"))
    assert not can_connect(as_role(compose_postgres, "some_login", "airflow"))


def test_init_script_refuses_an_empty_secret(tmp_path: Path, pg_server: str) -> None:
    (tmp_path / "airflow_db_password").write_text("\n", encoding="utf-8")
    (tmp_path / "warehouse_password").write_text("warehouse-pw", encoding="utf-8")
    # Stops before creating anything, so the shared test server is left as it was.
    done = run_init_script(pg_server, tmp_path)
    assert done.returncode != 0
    assert "airflow_db_password or warehouse_password is empty" in done.stderr


def test_the_night_is_prepared_by_the_non_superuser_owner(
    compose_postgres: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etl = as_role(compose_postgres, "culture_etl", "warehouse")
    monkeypatch.setenv("CULTURE_WAREHOUSE_DSN", etl)
    write_hr_drop(tmp_path, "20260630")
    pipeline.start_night(dt.date(2026, 7, 1), "test__least_privilege", str(tmp_path))
    bootstrap(etl)  # again, as every night: the existing BI role is used as it is
    with psycopg.connect(etl) as conn:
        owners = set(
            conn.execute(
                "select pg_get_userbyid(nspowner) from pg_namespace"
                " where nspname in ('raw', 'staging', 'intermediate', 'marts', 'audit')"
            ).fetchall()
        )
        runs = conn.execute("select run_id from audit.runs").fetchall()
    assert owners == {("culture_etl",)}
    assert runs == [("test__least_privilege",)]


def test_the_warehouse_owner_cannot_run_programs_or_read_server_files(compose_postgres: str) -> None:
    etl = as_role(compose_postgres, "culture_etl", "warehouse")
    with psycopg.connect(etl) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("copy (select 1) to program 'true'")
    with psycopg.connect(etl) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select pg_read_file('postgresql.conf')")


def test_a_missing_bi_role_the_owner_may_not_create_is_a_clear_error(
    pg_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffix = uuid.uuid4().hex[:8]
    owner, database = f"etl_{suffix}", f"w_{suffix}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f"create role {owner} login nosuperuser nocreaterole")
        admin.execute(f"create database {database} owner {owner}")
    monkeypatch.setattr(warehouse, "BI_ROLE", f"missing_bi_{suffix}")
    try:
        with pytest.raises(MissingBiRole, match=f"missing_bi_{suffix} does not exist"):
            bootstrap(as_role(pg_server, owner, database))
    finally:
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f"drop database if exists {database} with (force)")
            admin.execute(f"drop role if exists {owner}")


@pytest.mark.slow
def test_a_whole_night_publishes_as_the_non_superuser_owner_and_bi_reads_only_marts_of_its_unit(
    compose_postgres: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    etl = as_role(compose_postgres, "culture_etl", "warehouse")
    monkeypatch.setenv("CULTURE_WAREHOUSE_DSN", etl)
    write_hr_drop(tmp_path, "20260630")
    result = run_night(tmp_path, dt.date(2026, 7, 1))
    assert result.published
    with psycopg.connect(compose_postgres, autocommit=True) as admin:
        admin.execute("create role bi_night login in role culture_bi_reader")
    with psycopg.connect(as_role(compose_postgres, "bi_night", "warehouse")) as bi:
        assert bi.execute("select count(*) from marts.publication_status").fetchone()
        # dbt's grants reach every mart through the swap; its comments (Danish and English) too.
        marts = [str(row[0]) for row in bi.execute("select mart from marts.publication_status").fetchall()]
        assert set(result.published) <= set(marts)
        for mart in marts:
            bi.execute(f'select count(*) from marts."{mart}"')
        comment = bi.execute("select col_description('marts.dim_org_unit'::regclass, 1)").fetchone()
        assert comment is not None and str(comment[0]).startswith("da: ") and "\n\nen: " in str(comment[0])
    with (
        psycopg.connect(as_role(compose_postgres, "bi_night", "warehouse")) as bi,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        bi.execute("select count(*) from raw.hr_employees")
    access.grant_unit(etl, "bi_night", "1100")  # row-level security under the non-superuser owner
    with psycopg.connect(as_role(compose_postgres, "bi_night", "warehouse")) as bi:
        units = bi.execute("select distinct org_unit_code from marts.dim_org_unit").fetchall()
    assert units == [("1100",)]
    # The culture_report DAG's default: the owner's login, reading as culture_bi_reader.
    site = build_report(etl, tmp_path / "report", "da")
    assert site.index.exists() and site.unit_pages
