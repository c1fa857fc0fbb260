"""Isolation and freshness: a broken or stale source holds back only the marts that read it.

The rest of the night publishes, ``marts.publication_status`` says which night built each mart,
and ``marts.source_freshness`` says how old every source's data was, judged against the night
being built (so a replayed or backfilled night judges its sources as it did then).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest

from culture_dev.generate.landing import generate_landing
from culture_warehouse.publish import PublishBlocked
from drops import write_hr_drop
from nights import query, run_night

pytestmark = pytest.mark.slow  # whole nights through dbt

AS_OF = dt.date(2026, 10, 1)
HR_EXTRACT = dt.date(2026, 6, 30)
MTU_MARTS = {"mtu_dimension_results", "mtu_question_results", "mtu_breakdown_results"}


def publication(dsn: str) -> dict[str, tuple[str, str | None]]:
    """mart → (status, run that built the version BI reads)."""
    rows = query(dsn, "select mart, status, built_by_run from marts.publication_status")
    return {str(mart): (str(status), built_by) for mart, status, built_by in rows}


def freshness(dsn: str) -> dict[str, tuple[object, ...]]:
    rows = query(
        dsn,
        "select source_table, data_as_of, days_old, freshness_status from marts.source_freshness",
    )
    return {str(row[0]): tuple(row[1:]) for row in rows}


def digest(dsn: str, mart: str) -> tuple[object, ...]:
    sql = f"select count(*), md5(string_agg(t::text, '' order by t::text)) from marts.{mart} t"
    return query(dsn, sql)[0]


def last_run(dsn: str) -> tuple[str, str | None]:
    status, reason = query(dsn, "select status, reason from audit.runs order by started_at desc limit 1")[0]
    return str(status), reason


def test_a_failing_mtu_test_keeps_last_nights_mtu_marts_and_publishes_every_other_source(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    generate_landing(tmp_path, employees=300, seed=5, as_of=AS_OF)
    first = run_night(tmp_path, AS_OF)
    yesterday = {mart: digest(warehouse_dsn, mart) for mart in MTU_MARTS}
    with psycopg.connect(warehouse_dsn, autocommit=True) as conn:
        # A defect that slipped past the door: a question delivered twice in one catalogue.
        conn.execute("insert into raw.mtu_questions select * from raw.mtu_questions limit 1")

    with pytest.raises(PublishBlocked, match="unique_combination_stg_mtu__questions"):
        run_night(tmp_path, AS_OF)

    published = publication(warehouse_dsn)
    held_back = {mart for mart, (status, _) in published.items() if status != "published tonight"}
    assert held_back == MTU_MARTS | {"culture_scorecard"}
    for mart in held_back:
        assert published[mart] == ("kept from an earlier night", first.run_id)
    for mart in ("absence_monthly", "dim_org_unit", "apv_findings_status", "committee_activity"):
        assert published[mart][0] == "published tonight", mart
    assert {mart: digest(warehouse_dsn, mart) for mart in MTU_MARTS} == yesterday
    status, reason = last_run(warehouse_dsn)
    assert status == "partial"
    assert reason is not None and "mtu_dimension_results kept from an earlier night" in reason
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute("set role culture_bi_reader")
        assert conn.execute("select count(*) from marts.mtu_dimension_results").fetchone() != (0,)


def test_a_source_past_its_error_threshold_keeps_the_marts_that_read_it_and_says_why(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, HR_EXTRACT.strftime("%Y%m%d"))
    first = run_night(tmp_path, HR_EXTRACT + dt.timedelta(days=1))
    late_night = HR_EXTRACT + dt.timedelta(days=401)  # error_after is 400 days for the snapshots

    with pytest.raises(PublishBlocked, match=r"source too old: raw_hr\.hr_employees: data as of 2026-06-30"):
        run_night(tmp_path, late_night)

    assert freshness(warehouse_dsn)["hr_employees"] == (HR_EXTRACT, 401, "error")
    assert freshness(warehouse_dsn)["hr_org_units"] == (HR_EXTRACT, 401, "error")
    published = publication(warehouse_dsn)
    assert published["culture_scorecard"] == ("kept from an earlier night", first.run_id)
    assert published["dim_org_unit"] == ("kept from an earlier night", first.run_id)
    assert published["source_freshness"][0] == "published tonight"
    assert published["indicator_catalog"][0] == "published tonight"
    assert last_run(warehouse_dsn)[0] == "partial"
    (reason,) = query(
        warehouse_dsn,
        "select reason from audit.mart_outcomes where mart = 'culture_scorecard' and status = 'kept'",
    )[0]
    assert "error after 400 days" in reason


def test_a_source_past_its_warn_threshold_still_publishes_and_the_marts_say_how_old_it_is(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, HR_EXTRACT.strftime("%Y%m%d"))
    night = HR_EXTRACT + dt.timedelta(days=46)  # warn_after is 35 days for the snapshots
    run_night(tmp_path, night)

    assert last_run(warehouse_dsn) == ("published", None)
    assert freshness(warehouse_dsn)["hr_employees"] == (HR_EXTRACT, 46, "warn")
    assert query(warehouse_dsn, "select distinct night_as_of from marts.source_freshness") == [(night,)]


def test_freshness_is_judged_against_the_night_not_the_clock_and_missing_sources_block_nothing(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, HR_EXTRACT.strftime("%Y%m%d"))
    run_night(tmp_path, HR_EXTRACT + dt.timedelta(days=1))  # long ago by the wall clock

    assert last_run(warehouse_dsn) == ("published", None)
    fresh = freshness(warehouse_dsn)
    assert fresh["hr_employees"] == (HR_EXTRACT, 1, "pass")
    # Never delivered in this drop: reported, and nothing is held back because of it.
    assert fresh["apv_findings"] == (None, None, "no data")
    assert fresh["mtu_respondents"] == (None, None, "no data")
    assert {status for status, _ in publication(warehouse_dsn).values()} == {"published tonight"}
    checked = query(
        warehouse_dsn, "select source, source_table, status from audit.source_freshness order by 1, 2"
    )
    assert ("raw_hr", "hr_employees", "pass") in checked


def test_an_unchanged_snapshot_delivered_again_keeps_its_source_fresh(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, HR_EXTRACT.strftime("%Y%m%d"))
    for entity in ("employees", "org_units"):
        unchanged = (tmp_path / "hr" / f"{entity}_20260630.csv").read_bytes()
        (tmp_path / "hr" / f"{entity}_20260930.csv").write_bytes(unchanged)
    night = run_night(tmp_path, AS_OF)

    assert {f["status"] for f in night.files()} == {"loaded", "duplicate"}
    assert freshness(warehouse_dsn)["hr_employees"] == (dt.date(2026, 9, 30), 1, "pass")
    assert freshness(warehouse_dsn)["hr_org_units"] == (dt.date(2026, 9, 30), 1, "pass")
