"""The warehouse connection: a configured PostgreSQL, or an embedded one started on demand.

With no DSN configured the project runs its own PostgreSQL (pgserver) in ``.culture/pgdata``,
so a laptop needs nothing installed. ``bootstrap`` creates the schemas and the BI role in an empty
database and is safe to run every night (the audit tables are ``audit.create_tables``). It needs
no superuser: the owner of the warehouse database will do, and when an administrator has created
the BI role once, not even CREATEROLE (README, "A real PostgreSQL").
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

import psycopg
from psycopg import sql

from culture_warehouse.config import secret_from_file, state_dir

SCHEMAS = ("raw", "staging", "intermediate", "marts", "audit")
BI_ROLE = "culture_bi_reader"
DSN_VARIABLE = "CULTURE_WAREHOUSE_DSN"
PASSWORD_FILE_VARIABLE = "CULTURE_WAREHOUSE_PASSWORD_FILE"


class MissingBiRole(RuntimeError):
    """The BI role does not exist and the warehouse's user may not create it."""


# The embedded server's settings for a night's work on one machine (README, "The embedded
# PostgreSQL"); PostgreSQL's defaults are sized for a small shared server.
EMBEDDED_SETTINGS: dict[str, str] = {
    # A table created and filled in one transaction (every table dbt builds) writes no WAL, only
    # its data files; nothing replicates a local warehouse, which wal_level minimal requires.
    "wal_level": "minimal",
    "max_wal_senders": "0",
    # A night writes gigabytes: a checkpoint every 30 minutes, not after every gigabyte of WAL.
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    # 128 MB by default: a fraction of one table at state scale.
    "shared_buffers": "1GB",
}


def embedded_dsn() -> str:
    """Start (or reuse) the embedded PostgreSQL under the state folder and return its DSN."""
    data = state_dir() / "pgdata"
    data.mkdir(parents=True, exist_ok=True)
    return embedded_server(data)


def embedded_server(data: Path, cleanup_mode: str | None = None) -> str:
    """Start (or reuse) an embedded PostgreSQL in ``data`` with ``EMBEDDED_SETTINGS``; its DSN.

    A server that runs without them (a new data folder, or one from before they were set) gets
    them with ALTER SYSTEM and is restarted once when one of them needs it.
    """
    import pgserver

    server = pgserver.get_server(data, cleanup_mode=cleanup_mode)  # type: ignore[attr-defined]
    dsn = str(server.get_uri())
    if _apply_settings(dsn):
        # pgserver (pinned) has no restart of its own: pg_ctl's takes the server's options (socket
        # folder, no TCP) from postmaster.opts, and the handle then follows the new postmaster
        # (it stops or deletes the server at exit by that process).
        from pgserver._commands import pg_ctl  # type: ignore[attr-defined]
        from pgserver.utils import PostmasterInfo

        pg_ctl(["-w", "-l", str(server.log), "-m", "fast", "restart"], pgdata=server.pgdata,
               user=server.system_user, timeout=120)  # fmt: skip
        server._postmaster_info = PostmasterInfo.read_from_pgdata(server.pgdata)
        dsn = str(server.get_uri())
    return dsn


def _apply_settings(dsn: str) -> bool:
    """Write the embedded settings the server does not run with; whether it must restart for them."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        running = conn.execute(
            "select name, current_setting(name), context from pg_settings where name = any(%s)",
            (list(EMBEDDED_SETTINGS),),
        ).fetchall()
        stale = [(name, context) for name, value, context in running if value != EMBEDDED_SETTINGS[name]]
        for name, _ in stale:
            conn.execute(
                sql.SQL("alter system set {} = {}").format(
                    sql.Identifier(name), sql.Literal(EMBEDDED_SETTINGS[name])
                )
            )
        if stale:
            conn.execute("select pg_reload_conf()")
    return any(context == "postmaster" for _, context in stale)


def resolve_dsn(explicit: str | None = None) -> str:
    """The warehouse DSN: the flag, ``CULTURE_WAREHOUSE_DSN``, the Airflow connection, or embedded.

    The flag's or the variable's DSN gets its password from the file
    ``CULTURE_WAREHOUSE_PASSWORD_FILE`` names (a Docker secret), when that is set.
    """
    if explicit:
        return with_password_file(explicit)
    configured = os.environ.get(DSN_VARIABLE)
    if configured:
        return with_password_file(configured)
    from_airflow = _dsn_from_airflow_connection()
    if from_airflow:
        return from_airflow
    return embedded_dsn()


def with_password_file(dsn: str) -> str:
    """The DSN with the password from ``CULTURE_WAREHOUSE_PASSWORD_FILE`` in its user part.

    Unchanged when the variable is unset. The DSN must then be a ``postgresql://user@host/db`` URL
    without a password of its own (one secret, one place); ValueError otherwise, naming the
    variables but never the DSN. SecretFileError when the file cannot be read or is empty.
    """
    password = secret_from_file(PASSWORD_FILE_VARIABLE)
    if password is None:
        return dsn
    url = urlparse(dsn)
    userinfo, at, hostinfo = url.netloc.rpartition("@")
    if url.scheme not in ("postgresql", "postgres") or not at or not userinfo:
        raise ValueError(
            f"{PASSWORD_FILE_VARIABLE} is set: the DSN must be a postgresql://user@host/database URL"
        )
    if ":" in userinfo or "password" in parse_qs(url.query):
        raise ValueError(
            f"{PASSWORD_FILE_VARIABLE} is set and the DSN holds a password too: keep it in the file only"
        )
    return url._replace(netloc=f"{userinfo}:{quote(password, safe='')}@{hostinfo}").geturl()


def _dsn_from_airflow_connection() -> str | None:
    if "airflow.sdk" not in sys.modules:
        return None  # not running under Airflow: no connections to look up
    try:
        from airflow.sdk import Connection

        uri = str(Connection.get("culture_warehouse").get_uri())
    except Exception:
        return None
    return uri.replace("postgres://", "postgresql://", 1)


@contextmanager
def connect(dsn: str, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A psycopg connection that is closed (and rolled back on error) when the block ends."""
    with psycopg.connect(dsn, autocommit=autocommit, application_name="culture") as conn:
        yield conn


def sqlalchemy_url(dsn: str) -> str:
    """The same DSN for SQLAlchemy (Great Expectations), on the psycopg 3 driver."""
    scheme, rest = dsn.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        scheme = "postgresql+psycopg"
    return f"{scheme}://{rest}"


DBT_PASSWORD_VARIABLE = "DBT_ENV_SECRET_CULTURE_PASSWORD"
"""The password's variable for dbt_project/profiles.yml: dbt masks the value of every
``DBT_ENV_SECRET_*`` variable in its logs and error messages (and allows it only in profiles)."""


def dbt_connection_env(dsn: str) -> dict[str, str]:
    """Environment variables that dbt_project/profiles.yml reads; a socket folder is a host."""
    url = urlparse(dsn)
    query = parse_qs(url.query)
    host = query.get("host", [url.hostname or "localhost"])[0]
    return {
        "CULTURE_DBT_HOST": host,
        "CULTURE_DBT_PORT": str(url.port or int(query.get("port", ["5432"])[0])),
        "CULTURE_DBT_USER": unquote(url.username or query.get("user", ["postgres"])[0]),
        DBT_PASSWORD_VARIABLE: unquote(url.password or query.get("password", [""])[0]),
        "CULTURE_DBT_DBNAME": (url.path.lstrip("/") or "postgres"),
        # JIT compilation costs more than it saves on these one-off set-based builds
        # (measured: 9 s → 26 s for one absence model at 190,000 employees). The MTU models
        # aggregate millions of rows; 256 MB per sort or hash keeps most of them in memory.
        "PGOPTIONS": "-c jit=off -c work_mem=256MB",
    }


def bootstrap(dsn: str) -> None:
    """Create the schemas and the BI role; idempotent, safe at the start of every night."""
    with connect(dsn, autocommit=True) as conn:
        for schema in SCHEMAS:
            conn.execute(f"create schema if not exists {schema}")
        _ensure_bi_role(conn)


def _ensure_bi_role(conn: psycopg.Connection) -> None:
    """The BI role may read ``marts`` and nothing else; the grants are renewed at every publish.

    An existing role is used as it is; only a missing one is created, which needs CREATEROLE.
    """
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (BI_ROLE,)).fetchone()
    if not exists:
        try:
            conn.execute(f"create role {BI_ROLE} nologin")
        except psycopg.errors.InsufficientPrivilege:
            raise MissingBiRole(
                f"the role {BI_ROLE} does not exist and this user may not create roles: an"
                f" administrator creates it once (create role {BI_ROLE} nologin; README, 'A real"
                " PostgreSQL')"
            ) from None
    for schema in SCHEMAS:
        if schema != "marts":
            conn.execute(f"revoke all on schema {schema} from {BI_ROLE}")
    conn.execute(f"revoke create on schema public from {BI_ROLE}")


def pg_socket_dir(dsn: str) -> Path | None:
    """The Unix-socket folder of a DSN, when it uses one (the embedded server does)."""
    host = parse_qs(urlparse(dsn).query).get("host", [""])[0]
    return Path(host) if host.startswith("/") else None
