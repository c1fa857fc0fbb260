"""The embedded PostgreSQL runs with the settings of a night's work (warehouse.EMBEDDED_SETTINGS)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from culture_warehouse.warehouse import EMBEDDED_SETTINGS, embedded_server

pytestmark = pytest.mark.slow


@pytest.fixture
def data_folder() -> Iterator[Path]:
    # Not under pytest's tmp folder: as root, PostgreSQL runs as pgserver's own user (conftest.py).
    folder = Path(tempfile.mkdtemp(prefix="culture-test-embedded-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _running(dsn: str) -> tuple[dict[str, str], int]:
    with psycopg.connect(dsn) as conn:
        settings = {
            name: str(conn.execute("select current_setting(%s)", (name,)).fetchone()[0])  # type: ignore[index]
            for name in EMBEDDED_SETTINGS
        }
        pid = int(conn.execute("select pg_backend_pid()").fetchone()[0])  # type: ignore[index]
        postmaster = psutil.Process(pid).ppid()
    return settings, postmaster


def test_a_new_embedded_server_runs_with_the_nights_settings_and_keeps_them(data_folder: Path) -> None:
    import pgserver

    dsn = embedded_server(data_folder, cleanup_mode=None)
    settings, postmaster = _running(dsn)
    assert settings == EMBEDDED_SETTINGS  # wal_level and shared_buffers only take effect by a restart
    # started again (another task, another night): the settings are there, no second restart
    again = embedded_server(data_folder, cleanup_mode=None)
    assert _running(again) == (settings, postmaster)
    # the handle follows the restarted postmaster: cleaning up stops the server that runs
    server = pgserver.get_server(data_folder, cleanup_mode=None)  # type: ignore[attr-defined]
    server.cleanup_mode = "stop"
    server.cleanup()
    assert not psutil.pid_exists(postmaster) or psutil.Process(postmaster).status() == psutil.STATUS_ZOMBIE


def test_a_server_started_without_the_settings_gets_them(data_folder: Path) -> None:
    import pgserver

    plain = pgserver.get_server(data_folder, cleanup_mode="stop")  # type: ignore[attr-defined]
    settings, _ = _running(str(plain.get_uri()))
    assert settings["wal_level"] != "minimal"  # PostgreSQL's default, as a data folder from before
    dsn = embedded_server(data_folder, cleanup_mode="stop")
    settings, postmaster = _running(dsn)
    assert settings == EMBEDDED_SETTINGS
    plain.cleanup()
    assert not psutil.pid_exists(postmaster) or psutil.Process(postmaster).status() == psutil.STATUS_ZOMBIE
