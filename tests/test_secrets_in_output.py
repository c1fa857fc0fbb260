"""No password of the warehouse leaves the process in output: a DSN or landing URL is shown
through one redaction helper, and dbt gets the password in a variable it masks in its logs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from culture_warehouse.cli import where_to_look
from culture_warehouse.redaction import redact_url
from culture_warehouse.warehouse import DBT_PASSWORD_VARIABLE, dbt_connection_env

PROFILES = Path(__file__).resolve().parents[1] / "dbt_project" / "profiles.yml"


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("postgresql://culture:s3cret-pw@db.example:5432/warehouse", "postgresql://culture:***@db.example:5432/warehouse"),
        ("postgresql://culture:p%40ss@db/warehouse?sslmode=require", "postgresql://culture:***@db/warehouse?sslmode=require"),
        ("postgresql://culture@db/warehouse?password=s3cret-pw&sslmode=require", "postgresql://culture@db/warehouse?password=***&sslmode=require"),
        ("postgresql:///warehouse?host=/tmp/pg&user=culture&PASSWORD=s3cret-pw", "postgresql:///warehouse?host=/tmp/pg&user=culture&PASSWORD=***"),
        ("postgresql://culture:a:b@c@db/warehouse", "postgresql://culture:***@db/warehouse"),
        ("host=db user=culture password=s3cret-pw dbname=db", "host=db user=culture password=*** dbname=db"),
        ("postgresql://culture:s3cret/pw@db/warehouse", "postgresql://culture:***@db/warehouse"),
        ("host=db password = 'quoted s3cret-pw' dbname=warehouse", "host=db password=*** dbname=warehouse"),
        ("s3://bucket/landing?secret=s3cret-pw&token=tok", "s3://bucket/landing?secret=***&token=***"),
        ("postgresql://culture@db/warehouse", "postgresql://culture@db/warehouse"),
        ("/data/landing", "/data/landing"),
    ],
)  # fmt: skip
def test_every_password_in_a_dsn_or_url_is_masked(location: str, shown: str) -> None:
    assert redact_url(location) == shown
    assert "s3cret" not in redact_url(location)


def test_the_commands_printed_after_a_night_show_the_dsn_without_its_password() -> None:
    printed = where_to_look("postgresql://culture@db/warehouse?sslmode=require&password=s3cret-pw")
    assert "s3cret" not in printed
    assert "psql 'postgresql://culture@db/warehouse?sslmode=require&password=***'" in printed


def test_culture_run_prints_the_landing_url_without_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from culture_warehouse import airflow_runner, cli

    def stop(*args: object, **kwargs: object) -> object:
        raise RuntimeError("stop here")

    monkeypatch.setattr(airflow_runner, "run_dag", stop)
    with pytest.raises(RuntimeError, match="stop here"):
        cli._one_night(
            __import__("datetime").date(2026, 7, 1), "sftp://etl:s3cret-pw@host/landing", "dsn", True
        )
    out = capsys.readouterr().out
    assert "sftp://etl:***@host/landing" in out and "s3cret" not in out


def test_dbt_reads_the_password_from_a_variable_it_masks_in_its_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    from dbt_common.constants import SECRET_ENV_PREFIX
    from dbt_common.exceptions.base import env_secrets, scrub_secrets

    env = dbt_connection_env("postgresql://culture:s3cret-pw@db:5432/warehouse")
    assert DBT_PASSWORD_VARIABLE.startswith(SECRET_ENV_PREFIX)
    assert env[DBT_PASSWORD_VARIABLE] == "s3cret-pw"
    assert [name for name, value in env.items() if "s3cret" in value] == [DBT_PASSWORD_VARIABLE]
    profile = yaml.safe_load(PROFILES.read_text())["culture_warehouse"]["outputs"]["warehouse"]
    assert DBT_PASSWORD_VARIABLE in profile["password"]
    assert not any("PASSWORD" in str(value) for key, value in profile.items() if key != "password")

    monkeypatch.setattr(os, "environ", {**os.environ, **env})
    assert scrub_secrets("could not connect: password s3cret-pw refused", env_secrets()) == (
        "could not connect: password ***** refused"
    )


def test_a_password_in_the_query_string_reaches_dbt_too() -> None:
    env = dbt_connection_env("postgresql://culture@db/warehouse?password=s3cret-pw")
    assert env[DBT_PASSWORD_VARIABLE] == "s3cret-pw"
