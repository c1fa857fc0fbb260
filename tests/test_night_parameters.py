"""A night's parameters are checked before use: ``as_of`` is a date, ``run_id`` is spelled as
Airflow spells run ids, a triggered ``landing`` stays inside the allowed locations, and an older
night than the one published publishes only as a backfill."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import psycopg
import pytest

from culture_warehouse import audit, cli, pipeline
from culture_warehouse.parameters import (
    ParameterError,
    check_run_id,
    is_backfill,
    is_within,
    parse_as_of,
    trigger_landing,
)
from culture_warehouse.publish import PublishRefused
from culture_warehouse.transform import dbt_args
from culture_warehouse.warehouse import bootstrap
from nights import query

DAG_FILE = Path(__file__).resolve().parents[1] / "dags" / "culture_nightly.py"


# --- as_of ---------------------------------------------------------------------------------------


def test_as_of_is_a_date_written_year_month_day() -> None:
    assert parse_as_of("2026-07-01") == dt.date(2026, 7, 1)
    assert parse_as_of(" 2026-07-01 ") == dt.date(2026, 7, 1)
    assert parse_as_of(dt.date(2026, 7, 1)) == dt.date(2026, 7, 1)


@pytest.mark.parametrize(
    "given", ["20260701", "2026-W27-3", "2026-02-30", "01-07-2026", "", "2026-07-01T02:00", "2026-07-01'; --"]
)
def test_anything_else_as_as_of_is_refused_with_the_reason(given: str) -> None:
    with pytest.raises(ParameterError, match="as_of must be a date written YYYY-MM-DD"):
        parse_as_of(given)


def test_culture_run_refuses_an_as_of_that_is_not_year_month_day(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["run", "--landing", "/nowhere", "--as-of", "20260701"])
    assert exited.value.code == 2
    assert "not a date (YYYY-MM-DD): '20260701'" in capsys.readouterr().err


# --- run_id --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run_id",
    [
        "scheduled__2026-07-01T00:00:00+00:00",
        "manual__2026-07-01T02:13:45.123456+00:00",
        "backfill__2026-07-01T00:00:00+00:00",
        "test__2026-07-01__ab12cd34",
        "bench_full",
        "x" * 250,
    ],
)
def test_run_ids_as_airflow_writes_them_are_accepted(run_id: str) -> None:
    assert check_run_id(run_id) == run_id


@pytest.mark.parametrize(
    "run_id", ["", "night'; drop schema marts cascade; --", "a b", "natt_ø", "x" * 251, 'a"b']
)
def test_a_run_id_with_other_characters_is_refused(run_id: str) -> None:
    with pytest.raises(ParameterError, match="is not a run id"):
        check_run_id(run_id)


def test_every_stage_refuses_a_run_id_before_it_reaches_the_warehouse() -> None:
    bad = "x'); drop table audit.runs; --"
    for stage in (
        lambda: pipeline.start_night(dt.date(2026, 7, 1), bad, "/nowhere"),
        lambda: pipeline.ingest("hr", dt.date(2026, 7, 1), bad, "/nowhere"),
        lambda: pipeline.transform(dt.date(2026, 7, 1), bad, 5),
        lambda: pipeline.publish(bad),
    ):
        with pytest.raises(ParameterError, match="is not a run id"):
            stage()


def test_dbt_gets_the_run_id_as_one_json_variable_and_never_a_bad_one() -> None:
    args = dbt_args("build", dt.date(2026, 7, 1), 5, "marts_build", "manual__2026-07-01T00:00:00+00:00")
    variables = json.loads(args[args.index("--vars") + 1])
    assert variables["run_id"] == "manual__2026-07-01T00:00:00+00:00"
    with pytest.raises(ParameterError):
        dbt_args("build", dt.date(2026, 7, 1), 5, "marts_build", "it's")


def test_the_sql_string_macro_doubles_quotes_so_a_value_cannot_end_the_literal() -> None:
    import jinja2

    macros = (DAG_FILE.parents[1] / "dbt_project" / "macros" / "sql_string.sql").read_text()
    template = jinja2.Environment().from_string(macros + "{{ sql_string(value) }}")
    assert template.render(value="night'; drop table x; --").strip() == "'night''; drop table x; --'"
    assert template.render(value="manual__2026-07-01T00:00:00+00:00").strip() == (
        "'manual__2026-07-01T00:00:00+00:00'"
    )


# --- landing -------------------------------------------------------------------------------------


@pytest.fixture
def landing_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "landing"
    (root / "hr").mkdir(parents=True)
    (tmp_path / "landing-old").mkdir()
    (tmp_path / "secrets").mkdir()
    monkeypatch.setenv("CULTURE_LANDING", str(root))
    monkeypatch.delenv("CULTURE_LANDING_ALLOW", raising=False)
    monkeypatch.delenv("CULTURE_ALLOW_LANDING_OVERRIDE", raising=False)
    return root


def test_a_trigger_without_landing_reads_the_configured_location(landing_root: Path) -> None:
    assert trigger_landing(None) is None
    assert trigger_landing("  ") is None


def test_a_trigger_may_name_the_configured_landing_or_a_folder_inside_it(landing_root: Path) -> None:
    assert trigger_landing(str(landing_root)) == str(landing_root)
    assert trigger_landing(str(landing_root / "hr")) == str(landing_root / "hr")


@pytest.mark.parametrize(
    "outside", ["../landing-old", "../secrets", "landing/../secrets", "/etc", "relative/folder"]
)
def test_a_trigger_may_not_point_the_night_elsewhere(landing_root: Path, outside: str) -> None:
    given = outside if outside.startswith(("/", "relative")) else str(landing_root.parent / outside)
    with pytest.raises(ParameterError, match="is not an allowed landing location"):
        trigger_landing(given)


def test_a_symlink_inside_the_landing_that_leaves_it_is_refused(landing_root: Path) -> None:
    (landing_root / "escape").symlink_to(landing_root.parent / "secrets")
    with pytest.raises(ParameterError, match="CULTURE_LANDING_ALLOW"):
        trigger_landing(str(landing_root / "escape"))


def test_an_operator_allows_more_prefixes_or_any_landing(
    landing_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = str(landing_root.parent / "landing-old")
    monkeypatch.setenv("CULTURE_LANDING_ALLOW", f"s3://bucket/drops/, {other}")
    assert trigger_landing(other) == other
    assert trigger_landing("s3://bucket/drops/2026-07") == "s3://bucket/drops/2026-07"
    with pytest.raises(ParameterError):
        trigger_landing(str(landing_root.parent / "secrets"))
    monkeypatch.setenv("CULTURE_ALLOW_LANDING_OVERRIDE", "true")
    assert trigger_landing(str(landing_root.parent / "secrets")) == str(landing_root.parent / "secrets")


@pytest.mark.parametrize(
    ("location", "within"),
    [
        ("s3://bucket/drops", True),
        ("s3://bucket/drops/hr", True),
        ("s3://bucket/drops-old", False),
        ("s3://bucket/drops/../private", False),
        ("s3://bucket/drops/%2e%2e/private", False),
        ("s3://other/drops", False),
        ("gcs://bucket/drops", False),
        ("s3://bucket/drops?version=1", False),
        ("/bucket/drops", False),
    ],
)
def test_a_url_prefix_covers_whole_path_segments_only(location: str, within: bool) -> None:
    assert is_within(location, "s3://bucket/drops/") is within


def test_a_refused_landing_is_named_without_its_password(landing_root: Path) -> None:
    with pytest.raises(ParameterError) as refused:
        trigger_landing("sftp://etl:hunter2-secret@host/landing")
    assert "hunter2" not in str(refused.value)
    assert "sftp://etl:***@host/landing" in str(refused.value)


# --- backfill ------------------------------------------------------------------------------------


def test_a_backfill_is_known_by_its_run_type_not_by_a_chosen_run_id(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.utils.types import DagRunType

    monkeypatch.delenv("CULTURE_BACKFILL", raising=False)
    assert is_backfill("backfill__2026-07-01T00:00:00+00:00", DagRunType.BACKFILL_JOB)
    assert not is_backfill("backfill__chosen-by-hand", DagRunType.MANUAL)
    assert not is_backfill("scheduled__2026-07-01T00:00:00+00:00", DagRunType.SCHEDULED)
    assert is_backfill("backfill__2026-07-01T00:00:00+00:00")  # run type unknown: the prefix
    monkeypatch.setenv("CULTURE_BACKFILL", "true")
    assert is_backfill("manual__2026-07-01T00:00:00+00:00", DagRunType.MANUAL)


def test_culture_backfill_marks_its_nights_as_backfill_and_culture_run_does_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[bool] = []
    monkeypatch.setenv("CULTURE_BACKFILL", "")  # restored (unset) after the test: backfill sets it
    monkeypatch.setattr(cli, "_night_environment", lambda args: (str(tmp_path), "postgresql://u@h/db"))
    monkeypatch.setattr(
        cli, "_one_night", lambda *args, **kwargs: seen.append(is_backfill("manual__x", "manual")) or 0
    )
    monkeypatch.setattr(cli, "where_to_look", lambda dsn: "")
    cli.main(["run", "--landing", str(tmp_path), "--as-of", "2026-07-01"])
    cli.main(["backfill", "--landing", str(tmp_path), "--from", "2026-07-01", "--to", "2026-07-02"])
    assert seen == [False, True, True]


# --- the DAG's parameters ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dag_module() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("culture_nightly_params_test", DAG_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module


def context(**params: Any) -> dict[str, Any]:
    run = SimpleNamespace(run_type="manual")
    return {"params": params, "run_id": "manual__2026-07-01T00:00:00+00:00", "dag_run": run}


def test_the_dag_checks_its_parameters_and_fails_at_once_without_retries(
    dag_module: ModuleType, landing_root: Path
) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    assert dag_module._as_of(context(as_of="2026-07-01")) == dt.date(2026, 7, 1)
    assert dag_module._landing(context(landing=str(landing_root / "hr"))) == str(landing_root / "hr")
    for bad in (context(as_of="01/07/2026"), context(landing="/etc")):
        refused = pytest.raises(AirflowFailException, match=r"as_of must be|not an allowed landing")
        with refused, dag_module._refusals_fail_without_retry():
            dag_module._as_of(bad)
            dag_module._landing(bad)


def test_the_dag_tells_an_airflow_backfill_run_from_a_manual_one(
    dag_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.utils.types import DagRunType

    monkeypatch.delenv("CULTURE_BACKFILL", raising=False)
    backfill = {
        "run_id": "backfill__2026-07-01T00:00:00+00:00",
        "dag_run": SimpleNamespace(run_type=DagRunType.BACKFILL_JOB),
    }
    manual = {"run_id": "backfill__by-hand", "dag_run": SimpleNamespace(run_type=DagRunType.MANUAL)}
    assert dag_module._backfill(backfill)
    assert not dag_module._backfill(manual)


def test_the_dag_declares_as_of_as_a_date_pattern(dag_module: ModuleType) -> None:
    schema = dag_module.nightly_dag.params.get_param("as_of").schema
    assert schema["pattern"] == r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


# --- an older night ------------------------------------------------------------------------------


def published_night(dsn: str, run_id: str, as_of: dt.date) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        audit.start_run(conn, run_id, as_of)
        audit.record_publication(conn, run_id, ["culture_scorecard"], {})
        audit.finish_run(conn, run_id, "published")


def test_an_older_night_than_the_published_one_refuses_to_publish(warehouse_dsn: str) -> None:
    bootstrap(warehouse_dsn)
    audit.create_tables(warehouse_dsn)
    published_night(warehouse_dsn, "scheduled__2026-10-01", dt.date(2026, 10, 1))
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        audit.start_run(conn, "manual__2026-07-01", dt.date(2026, 7, 1))
        conn.execute("create schema marts_build")
        conn.execute("create table marts_build.culture_scorecard (period_end date)")
    with pytest.raises(PublishRefused, match="as of 2026-07-01, but the marts of the night as of 2026-10-01"):
        pipeline.publish("manual__2026-07-01")
    [(status, reason)] = query(
        warehouse_dsn, "select status, reason from audit.runs where as_of = '2026-07-01'"
    )
    assert status == "failed" and "only as a backfill" in reason
    schemas = query(warehouse_dsn, "select schema_name from information_schema.schemata")
    assert ("marts_build",) in schemas  # nothing was swapped in


def test_the_same_or_a_later_night_and_a_backfill_pass_the_check(warehouse_dsn: str) -> None:
    bootstrap(warehouse_dsn)
    audit.create_tables(warehouse_dsn)
    published_night(warehouse_dsn, "scheduled__2026-10-01", dt.date(2026, 10, 1))
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        for run_id, as_of in (
            ("again", dt.date(2026, 10, 1)),
            ("later", dt.date(2026, 10, 2)),
            ("older", dt.date(2026, 7, 1)),
        ):
            audit.start_run(conn, run_id, as_of)
    # Past the check, these fail only because nothing was built: dbt did not run in this test.
    for run_id, backfill in (("again", False), ("later", False), ("older", True)):
        with pytest.raises(RuntimeError, match="nothing to publish") as failed:
            pipeline.publish(run_id, backfill=backfill)
        assert not isinstance(failed.value, PublishRefused)
