"""The pseudonym key cannot silently change: refused when missing outside a laptop, when short,
when the Airflow connection cannot be read, and when its fingerprint is not the warehouse's."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from culture_warehouse import pipeline, privacy
from culture_warehouse.privacy import (
    KeyFingerprintMismatch,
    Pseudonymiser,
    PseudonymKeyError,
    key_fingerprint,
    load_pseudonym_key,
)
from drops import employees_csv, write_hr_drop
from nights import query, run_night

REAL_CONNECTION_LOOKUP = privacy._key_from_airflow_connection
KEY_A = "a" * 40
KEY_B = "b" * 40
LEDGER = "select load_id, file_name, status from audit.load_ledger order by 1"


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No key variable, no Airflow connection, a private config folder; returns the key file path."""
    monkeypatch.delenv("CULTURE_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CULTURE_ENV", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(privacy, "_key_from_airflow_connection", lambda: None)
    return privacy.default_key_path()


@pytest.mark.parametrize("environment", ["production", "staging", "test"])
def test_without_a_key_a_deployment_refuses_and_generates_none(
    no_key: Path, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("CULTURE_ENV", environment)
    with pytest.raises(PseudonymKeyError, match="no pseudonym key: set CULTURE_PSEUDONYM_KEY"):
        load_pseudonym_key()
    assert not no_key.exists()


@pytest.mark.parametrize("environment", [None, "local", " LOCAL "])
def test_on_a_laptop_a_key_is_generated_once_and_kept(
    no_key: Path, monkeypatch: pytest.MonkeyPatch, environment: str | None
) -> None:
    if environment is not None:
        monkeypatch.setenv("CULTURE_ENV", environment)
    first = load_pseudonym_key()
    assert load_pseudonym_key() == first
    assert len(first) >= privacy.MIN_KEY_BYTES


def test_the_generated_key_file_is_0600_from_the_moment_it_holds_a_key(
    no_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even with a permissive umask: the key is written to a file that was created 0600."""
    modes_at_write: list[int] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        modes_at_write.append(stat.S_IMODE(os.fstat(descriptor).st_mode))
        real_fsync(descriptor)

    monkeypatch.setattr(privacy.os, "fsync", fsync)
    previous = os.umask(0)
    try:
        load_pseudonym_key()
    finally:
        os.umask(previous)
    assert modes_at_write == [0o600]
    assert stat.S_IMODE(no_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(no_key.parent.stat().st_mode) == 0o700
    assert [p.name for p in no_key.parent.iterdir()] == [no_key.name]  # no temporary left behind


def test_an_existing_key_file_is_never_replaced(no_key: Path) -> None:
    no_key.parent.mkdir(parents=True)
    no_key.write_text("c" * 64)
    no_key.chmod(0o600)
    assert load_pseudonym_key() == b"c" * 64
    assert no_key.read_text() == "c" * 64


def test_a_key_file_readable_by_others_is_refused(no_key: Path) -> None:
    no_key.parent.mkdir(parents=True)
    no_key.write_text("c" * 64)
    no_key.chmod(0o644)
    with pytest.raises(PseudonymKeyError, match="readable by others: chmod 600"):
        load_pseudonym_key()


@pytest.mark.parametrize("environment", ["local", "production"])
def test_a_key_shorter_than_32_bytes_is_refused_everywhere(
    monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("CULTURE_ENV", environment)
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY", "k" * 31)
    with pytest.raises(PseudonymKeyError, match="CULTURE_PSEUDONYM_KEY is 31 bytes; at least 32"):
        load_pseudonym_key()
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY", "k" * 32)
    assert load_pseudonym_key() == b"k" * 32
    with pytest.raises(PseudonymKeyError, match="at least 32"):
        Pseudonymiser(b"bench-key")


def test_a_short_key_in_the_airflow_connection_is_refused(
    no_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(privacy, "_key_from_airflow_connection", lambda: "short")
    with pytest.raises(PseudonymKeyError, match="Airflow connection 'culture_pseudonym_key' is 5 bytes"):
        load_pseudonym_key()


def test_an_unreadable_airflow_connection_refuses_a_deployment_instead_of_generating(
    no_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airflow.sdk

    def unreachable(conn_id: str) -> object:
        raise ConnectionRefusedError("the API server is down")

    monkeypatch.setattr(privacy, "_key_from_airflow_connection", REAL_CONNECTION_LOOKUP)
    monkeypatch.setattr(airflow.sdk.Connection, "get", unreachable)
    monkeypatch.setenv("CULTURE_ENV", "production")
    with pytest.raises(PseudonymKeyError, match=r"could not be read \(ConnectionRefusedError\)"):
        load_pseudonym_key()
    assert not no_key.exists()


def test_the_fingerprint_tells_keys_apart_and_does_not_contain_the_key() -> None:
    fingerprint = key_fingerprint(KEY_A.encode())
    assert fingerprint == key_fingerprint(KEY_A.encode())
    assert fingerprint != key_fingerprint(KEY_B.encode())
    assert len(fingerprint) == 64 and KEY_A not in fingerprint


def test_a_night_with_another_key_refuses_and_loads_nothing_new(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_hr_drop(tmp_path, "20260630")
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY", KEY_A)
    first = "test__first"
    pipeline.start_night(dt.date(2026, 7, 1), first, str(tmp_path))
    pipeline.ingest("hr", dt.date(2026, 7, 1), first, str(tmp_path))
    ledger = query(warehouse_dsn, LEDGER)
    employees = query(warehouse_dsn, "select count(*) from raw.hr_employees")
    assert query(warehouse_dsn, "select fingerprint, first_run_id from audit.pseudonym_key") == [
        (key_fingerprint(KEY_A.encode()), first)
    ]

    (tmp_path / "hr" / "employees_20260701.csv").write_text(employees_csv(8, 4), encoding="utf-8")
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY", KEY_B)
    with pytest.raises(KeyFingerprintMismatch) as refused:
        run_night(tmp_path, dt.date(2026, 7, 2))  # refused in prepare, before dbt
    second = "test__second"
    with pytest.raises(KeyFingerprintMismatch):
        pipeline.ingest("hr", dt.date(2026, 7, 2), second, str(tmp_path))
    with pytest.raises(KeyFingerprintMismatch):
        pipeline.transform(dt.date(2026, 7, 2), second, 5)

    message = str(refused.value)
    assert "fingerprint mismatch" in message
    assert key_fingerprint(KEY_A.encode())[:16] in message and key_fingerprint(KEY_B.encode())[:16] in message
    assert "Restore the key" in message and "culture backfill" in message
    assert KEY_A not in message and KEY_B not in message
    assert query(warehouse_dsn, LEDGER) == ledger
    assert query(warehouse_dsn, "select count(*) from raw.hr_employees") == employees
    runs = query(warehouse_dsn, "select status, reason from audit.runs where run_id <> %s", first)
    assert runs and all(status == "failed" and "fingerprint mismatch" in reason for status, reason in runs)
    assert query(warehouse_dsn, "select fingerprint from audit.pseudonym_key") == [
        (key_fingerprint(KEY_A.encode()),)
    ]


def test_a_night_without_a_key_outside_local_mode_refuses_before_touching_the_warehouse(
    warehouse_dsn: str, tmp_path: Path, no_key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_hr_drop(tmp_path, "20260630")
    monkeypatch.setenv("CULTURE_ENV", "production")
    with pytest.raises(PseudonymKeyError, match="no pseudonym key"):
        pipeline.start_night(dt.date(2026, 7, 1), "test__keyless", str(tmp_path))
    schemas = query(warehouse_dsn, "select schema_name from information_schema.schemata")
    assert ("audit",) not in schemas
    assert not no_key.exists()


def test_culture_run_without_a_key_outside_local_mode_stops_before_any_night(
    tmp_path: Path, no_key: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from culture_warehouse import cli

    monkeypatch.setenv("CULTURE_ENV", "production")
    monkeypatch.setenv("CULTURE_LANDING", str(tmp_path))  # restored after: the command sets it
    status = cli.main(["run", "--landing", str(tmp_path), "--dsn", "postgresql://nobody@nowhere/db"])
    assert status == 2
    assert "culture: no pseudonym key: set CULTURE_PSEUDONYM_KEY" in capsys.readouterr().err
