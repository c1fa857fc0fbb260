"""The incremental night gives the marts a full rebuild gives.

The per-round MTU models are dbt incremental models: a night rebuilds only the survey rounds
whose inputs changed (their round signature). Four nights over one generated landing zone bring
an absence delta, a corrected MTU round and then the withdrawal of that correction (the run
book's steps in docs/operations.md); then the last night runs again with ``full_refresh`` and its
marts must equal, row for row, the ones the incremental nights published.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import psycopg
import pytest

from culture_dev.generate import generate_landing
from culture_warehouse import pipeline
from culture_warehouse.config import min_group_size
from culture_warehouse.sources.registry import FOLDERS
from culture_warehouse.transform import dbt_target_dir
from nights import NightResult, query, run_night

pytestmark = pytest.mark.slow  # whole nights through dbt

AS_OF = dt.date(2026, 10, 1)
ROUND = "MTU2024"  # delivered as CSV with this seed; the previous round of MTU2026
NOT_COMPARED = {"publication_status"}  # which night built each mart: differs by design


def night(landing: Path, as_of: dt.date, full_refresh: bool = False) -> NightResult:
    """run_night, optionally with a full refresh of the incremental models."""
    if not full_refresh:
        return run_night(landing, as_of)
    run_id = f"test__{as_of.isoformat()}__full"
    result = NightResult(run_id)
    pipeline.start_night(as_of, run_id, str(landing))
    for folder in FOLDERS:
        result.ingested[folder] = pipeline.ingest(folder, as_of, run_id, str(landing))
    pipeline.transform(as_of, run_id, min_group_size(), full_refresh=True)
    result.published = list(pipeline.publish(run_id)["published"])  # type: ignore[call-overload]
    return result


# Incremental per survey round (macros/incremental_rounds.sql).
ROUND_MODELS = ("int_mtu_item_scores", "int_mtu_respondent_dimensions", "int_mtu_breakdown_results",
                "int_mtu_question_results", "int_mtu_question_units", "int_mtu_dimension_results",
                "int_mtu_silent_respondents", "int_mtu_round_questions")  # fmt: skip
# Kept while the loads they read are unchanged (macros/incremental_inputs.sql).
HR_HISTORY_MODELS = ("int_employee_versions", "int_employment_spells", "int_employee_events")
# Also kept while the scorecard's periods are unchanged: the HR figures that read no absence.
HR_PERIOD_MODELS = ("int_staffing_by_unit_month", "int_headcount_by_period",
                    "int_hr_subtree_months_without_absence", "int_scorecard_hr_without_absence",
                    "int_absence_month_suppression")  # fmt: skip


def rows_inserted(model: str) -> int:
    """Rows the last dbt build wrote into a model (run_results.json)."""
    results = json.loads((dbt_target_dir() / "run_results.json").read_text())["results"]
    found = next(r for r in results if r["unique_id"] == f"model.culture_warehouse.{model}")
    assert found["status"] == "success", found
    return int(found["adapter_response"].get("rows_affected", -1))


def correct_round(path: Path) -> None:
    """The vendor's correction of a round: every tenth respondent removed, a third of one answer changed.
    The file keeps its dialect (the generator varies delimiter, BOM and line ends)."""
    text = path.read_bytes().decode("utf-8-sig")
    delimiter = ";" if text.count(";") > text.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header, body = rows[0], [row for row in rows[1:] if row]
    first_question = next(i for i, name in enumerate(header) if name.strip().upper().startswith("Q"))
    kept = [row for number, row in enumerate(body) if number % 10 != 9]
    for number, row in enumerate(kept):
        if number % 3 == 0:
            row[first_question] = "5"
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([header, *kept])
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def withdraw(dsn: str, file_name: str) -> None:
    """docs/operations.md, "A file must be withdrawn": reject the load, delete its rows, revive
    the delivery it had superseded."""
    with psycopg.connect(dsn) as conn:
        (load_id,) = conn.execute(
            "select load_id from audit.load_ledger where file_name = %s and status = 'loaded'", (file_name,)
        ).fetchone()  # type: ignore[misc]
        conn.execute(
            "update audit.load_ledger set status = 'rejected', reason = 'withdrawn' where load_id = %s",
            (load_id,),
        )
        conn.execute("delete from audit.quarantine where load_id = %s", (load_id,))
        tables = conn.execute(
            "select table_name from information_schema.columns"
            " where table_schema = 'raw' and column_name = '_load_id'"
        ).fetchall()
        for (table,) in tables:
            conn.execute(f'delete from raw."{table}" where _load_id = %s', (load_id,))
        conn.execute(
            "update audit.load_ledger set status = 'loaded' where status = 'superseded' and reason ~ %s",
            (f"replaced by load {load_id}($|[^0-9])",),
        )


def differing_rows(dsn: str, table: str) -> int:
    """Rows in one of marts.<table> (the full rebuild) and marts_previous.<table> (incremental) only."""
    (count,) = query(
        dsn,
        f"""select count(*) from (
            (select * from marts."{table}" except all select * from marts_previous."{table}")
            union all
            (select * from marts_previous."{table}" except all select * from marts."{table}")
        ) as differing""",
    )[0]
    return int(count)


def test_incremental_nights_publish_the_marts_a_full_refresh_publishes(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    generate_landing(landing, employees=600, seed=11, as_of=AS_OF)
    responses = landing / "mtu" / f"{ROUND}_responses.csv"
    assert responses.exists()

    first = night(landing, AS_OF)
    assert "mtu_breakdown_results" in first.published
    assert rows_inserted("int_mtu_item_scores") > 0  # the first night builds every round
    verdicts = "select part, recorded_at from audit.disclosure_gate_memo order by part"
    passed = query(warehouse_dsn, verdicts)
    assert [part for part, _ in passed] == ["absence+questions", "breakdown"]

    # Night 2: only an absence delta arrives; no survey round is rebuilt.
    second_night = AS_OF + dt.timedelta(days=1)
    (landing / "hr" / f"absence_{second_night:%Y%m%d}.csv").write_text(
        "absence_id;employee_number;absence_type;start_date;end_date;workdays;deleted;last_modified\n"
        f"INCR-1;E000001;egen sygdom;{AS_OF};{AS_OF};1;nej;{second_night} 02:00:00\n"
    )
    night(landing, second_night)
    # Nor is a survey round's disclosure family built again: last night's answers are recalled.
    searched = "select family, run_id from audit.disclosure_memo where family <> 'absence' order by 1"
    answers = dict(query(warehouse_dsn, searched))
    assert answers and set(answers.values()) == {first.run_id}, answers
    # The gate read the same rows as last night in both its parts: their verdicts stand.
    assert query(warehouse_dsn, verdicts) == passed
    for model in (*ROUND_MODELS, *HR_HISTORY_MODELS, *HR_PERIOD_MODELS):
        assert rows_inserted(model) == 0, model
    assert rows_inserted("int_scorecard_hr") > 0  # the absence figures are summed again

    # Night 3: the vendor re-delivers the round corrected; that round is rebuilt. And HR sends
    # a new snapshot (the last one's rows again, other line ends): the HR history is rebuilt.
    correct_round(responses)
    third_night = AS_OF + dt.timedelta(days=2)
    last_snapshot = max((landing / "hr").glob("employees_*.csv"))
    again = last_snapshot.read_bytes()
    again = again.replace(b"\r\n", b"\n") if b"\r\n" in again else again.replace(b"\n", b"\r\n")
    (landing / "hr" / f"employees_{third_night:%Y%m%d}.csv").write_bytes(again)
    night(landing, third_night)
    ledger = "select status from audit.load_ledger where file_name = %s order by load_id"
    assert [row[0] for row in query(warehouse_dsn, ledger, responses.name)] == ["superseded", "loaded"]
    assert rows_inserted("int_mtu_item_scores") > 0
    for model in (*HR_HISTORY_MODELS, *HR_PERIOD_MODELS):
        assert rows_inserted(model) > 0, model

    # Night 4: the correction is withdrawn (the first delivery counts again).
    responses.unlink()
    withdraw(warehouse_dsn, responses.name)
    last_night = AS_OF + dt.timedelta(days=3)
    night(landing, last_night)
    assert [row[0] for row in query(warehouse_dsn, ledger, responses.name)] == ["loaded", "rejected"]
    assert rows_inserted("int_mtu_item_scores") > 0

    # The same night again, every model rebuilt from scratch: the incremental marts move to
    # marts_previous, the full rebuild's into marts.
    full = night(landing, last_night, full_refresh=True)
    assert rows_inserted("int_mtu_item_scores") > 0
    marts = sorted(set(full.published) - NOT_COMPARED)
    assert {"mtu_breakdown_results", "mtu_question_results", "mtu_dimension_results",
            "culture_scorecard", "absence_monthly"} <= set(marts)  # fmt: skip
    differing = {table: differing_rows(warehouse_dsn, table) for table in marts}
    assert differing == dict.fromkeys(marts, 0)
    # Not two empty tables: the corrected round is published, and the next round's change since it.
    published = "select sum(n_respondents) from marts.mtu_dimension_results where survey_id = %s"
    (respondents,) = query(warehouse_dsn, published, ROUND)[0]
    assert respondents
    changes = "select count(delta) from marts.mtu_question_results where previous_survey_id = %s"
    assert query(warehouse_dsn, changes, ROUND)[0][0] > 0
