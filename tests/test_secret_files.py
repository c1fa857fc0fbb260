"""Secrets from files (Docker secrets under /run/secrets): the pseudonym key from
``CULTURE_PSEUDONYM_KEY_FILE`` and the warehouse password from ``CULTURE_WAREHOUSE_PASSWORD_FILE``,
beside the variables that keep working. A file that cannot be read is refused by its variable and
path, never quoted."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest

from culture_warehouse import privacy
from culture_warehouse.config import SecretFileError, secret_from_file
from culture_warehouse.privacy import PseudonymKeyError, load_pseudonym_key
from culture_warehouse.warehouse import dbt_connection_env, resolve_dsn, with_password_file

KEY = "k" * 40
PASSWORD = "p@ss:w/rd %?#"  # every character a URL would misread


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No key variable, no Airflow connection, a deployment (nothing is generated)."""
    monkeypatch.delenv("CULTURE_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CULTURE_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.setenv("CULTURE_ENV", "production")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(privacy, "_key_from_airflow_connection", lambda: None)


def secret(tmp_path: Path, text: str, name: str = "secret") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the file itself


def test_a_secret_file_is_read_without_its_trailing_newline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret(tmp_path, " two words \r\n\n")))
    assert secret_from_file("SOME_SECRET_FILE") == " two words "


def test_an_unset_secret_file_variable_means_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOME_SECRET_FILE", raising=False)
    assert secret_from_file("SOME_SECRET_FILE") is None
    monkeypatch.setenv("SOME_SECRET_FILE", "")
    assert secret_from_file("SOME_SECRET_FILE") is None


@pytest.mark.parametrize("content", [None, "", "\n", b"\xff\xfe"])
def test_a_missing_empty_or_garbled_secret_file_is_refused_by_name_and_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | bytes | None
) -> None:
    path = tmp_path / "secret"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif isinstance(content, bytes):
        path.write_bytes(content)
    monkeypatch.setenv("SOME_SECRET_FILE", str(path))
    with pytest.raises(SecretFileError, match=f"SOME_SECRET_FILE: .*{path}"):
        secret_from_file("SOME_SECRET_FILE")


# --- the pseudonym key


def test_the_pseudonym_key_is_read_from_its_file(
    no_key: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY_FILE", str(secret(tmp_path, KEY + "\n")))
    assert load_pseudonym_key() == KEY.encode()


def test_the_pseudonym_key_variable_still_works_without_a_file(
    no_key: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY", KEY)
    assert load_pseudonym_key() == KEY.encode()


def test_a_pseudonym_key_in_both_the_variable_and_a_file_is_refused(
    no_key: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY_FILE", str(secret(tmp_path, KEY)))
    with pytest.raises(PseudonymKeyError, match="both CULTURE_PSEUDONYM_KEY and CULTURE_PSEUDONYM_KEY_FILE"):
        load_pseudonym_key()


@pytest.mark.parametrize("environment", ["production", "local"])
def test_an_unreadable_pseudonym_key_file_stops_the_night_even_on_a_laptop(
    no_key: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("CULTURE_ENV", environment)
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(PseudonymKeyError, match="no pseudonym key: CULTURE_PSEUDONYM_KEY_FILE"):
        load_pseudonym_key()
    assert not privacy.default_key_path().exists()


def test_a_short_pseudonym_key_in_a_file_is_refused(
    no_key: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CULTURE_PSEUDONYM_KEY_FILE", str(secret(tmp_path, "short")))
    with pytest.raises(PseudonymKeyError, match="CULTURE_PSEUDONYM_KEY_FILE names is 5 bytes"):
        load_pseudonym_key()


# --- the warehouse password


def test_the_warehouse_password_file_completes_the_dsn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CULTURE_WAREHOUSE_DSN", "postgresql://culture_etl@postgres:5432/warehouse")
    monkeypatch.setenv("CULTURE_WAREHOUSE_PASSWORD_FILE", str(secret(tmp_path, PASSWORD + "\n")))
    dsn = resolve_dsn()
    url = urlparse(dsn)
    assert (url.hostname, url.port, url.path, url.username) == ("postgres", 5432, "/warehouse", "culture_etl")
    assert psycopg.conninfo.conninfo_to_dict(dsn)["password"] == PASSWORD
    assert dbt_connection_env(dsn)["DBT_ENV_SECRET_CULTURE_PASSWORD"] == PASSWORD
    assert PASSWORD not in dsn  # quoted in the URL


def test_the_password_file_also_completes_a_dsn_given_as_a_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CULTURE_WAREHOUSE_PASSWORD_FILE", str(secret(tmp_path, "pw")))
    dsn = resolve_dsn("postgresql://etl@/warehouse?host=/run/postgresql")
    assert dsn == "postgresql://etl:pw@/warehouse?host=/run/postgresql"


def test_without_a_password_file_the_dsn_is_used_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CULTURE_WAREHOUSE_PASSWORD_FILE", raising=False)
    monkeypatch.setenv("CULTURE_WAREHOUSE_DSN", "postgresql://u:pw@db/warehouse")
    assert resolve_dsn() == "postgresql://u:pw@db/warehouse"


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://u:other@db/warehouse",
        "postgresql://u@db/warehouse?password=other",
        "postgresql://db/warehouse",
        "host=db user=u dbname=warehouse",
    ],
)
def test_a_password_file_with_a_dsn_holding_a_password_or_no_user_is_refused_unquoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dsn: str
) -> None:
    monkeypatch.setenv("CULTURE_WAREHOUSE_PASSWORD_FILE", str(secret(tmp_path, "pw")))
    with pytest.raises(ValueError, match="CULTURE_WAREHOUSE_PASSWORD_FILE is set") as refused:
        with_password_file(dsn)
    assert "other" not in str(refused.value)
