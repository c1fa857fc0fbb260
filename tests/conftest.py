"""Shared fixtures: one embedded PostgreSQL per test session, a fresh database per test.

Tests talk to a real PostgreSQL: the embedded pgserver by default, or the server given by
``CULTURE_TEST_DSN`` (a DSN of a maintenance database on which tests may create databases).

A test that runs dbt or the DAG (a whole night, or a fixture built from one) must be marked
``slow``: ``make test-fast`` leaves those out, and :func:`whole_nights_only_in_slow_tests` fails
an unmarked test that starts one, so the fast suite stays fast.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest

os.environ.setdefault("CULTURE_PSEUDONYM_KEY", "test-pseudonym-key-not-for-production")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="culture-test-airflow-"))


@pytest.fixture(scope="session", autouse=True)
def isolated_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep tests away from the developer's .culture folder and Airflow home."""
    state = tmp_path_factory.mktemp("culture-state")
    previous = os.environ.get("CULTURE_HOME")
    os.environ["CULTURE_HOME"] = str(state)
    yield state
    if previous is None:
        os.environ.pop("CULTURE_HOME", None)
    else:
        os.environ["CULTURE_HOME"] = previous


_running: dict[str, pytest.Item | None] = {"test": None}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _running["test"] = item  # before its fixtures, so module fixtures are attributed to it too


@pytest.fixture(scope="session", autouse=True)
def whole_nights_only_in_slow_tests() -> Iterator[None]:
    """dbt builds and DAG runs fail in a test not marked slow (see the module docstring)."""
    from culture_warehouse import airflow_runner, pipeline, transform

    def slow_only(what: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            test = _running["test"]
            if test is not None and test.get_closest_marker("slow") is None:
                pytest.fail(f"{test.nodeid} runs {what}: mark it @pytest.mark.slow (or its module)")
            return real(*args, **kwargs)

        return guarded

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(transform, "build_marts", slow_only("dbt", transform.build_marts))
        patch.setattr(pipeline, "build_marts", slow_only("dbt", pipeline.build_marts))
        patch.setattr(
            airflow_runner, "run_scheduled_night", slow_only("the DAG", airflow_runner.run_scheduled_night)
        )
        yield


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The DSN of a maintenance database on a real PostgreSQL server."""
    configured = os.environ.get("CULTURE_TEST_DSN")
    if configured:
        yield configured
        return
    import pgserver

    # Not under pytest's tmp folder: as root, pgserver runs PostgreSQL as its own user, which
    # cannot enter pytest's private /tmp/pytest-of-root.
    folder = Path(tempfile.mkdtemp(prefix="culture-test-pg-"))
    server = pgserver.get_server(folder, cleanup_mode="delete")
    yield str(server.get_uri())
    server.cleanup()  # now, while logging still works, rather than at interpreter exit


def with_database(dsn: str, database: str) -> str:
    """The same server DSN pointing at another database."""
    url = urlparse(dsn)
    return urlunparse(url._replace(path=f"/{database}"))


@contextmanager
def fresh_database(server_dsn: str) -> Iterator[str]:
    """A new, empty database on the server for the block's duration; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f"create database {name}")
    try:
        yield with_database(server_dsn, name)
    finally:
        with psycopg.connect(server_dsn, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture
def warehouse_dsn(pg_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database for one test, set as CULTURE_WAREHOUSE_DSN."""
    with fresh_database(pg_server) as dsn:
        monkeypatch.setenv("CULTURE_WAREHOUSE_DSN", dsn)
        yield dsn
