"""Rule 5 on whole nights: the real dbt models, the disclosure control, the publish gate.

Generated drops go through the same stage functions the DAG calls; the tests' own analyst
(disclosure_attack.py) then attacks the built publication. The gate must hold back a mart into
which a test plants a recoverable cell, and say so in ``audit`` with counts only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest
from disclosure_attack import attack_absence, attack_mtu

from culture_dev.generate import generate_landing
from culture_warehouse import pipeline
from culture_warehouse.publish import PublishBlocked
from culture_warehouse.transform import BUILD_SCHEMA
from nights import query, run_night

pytestmark = pytest.mark.slow  # whole generated nights through dbt, then attacked

AS_OF = dt.date(2026, 10, 1)
K = 5


@pytest.mark.parametrize("seed", [3, 11])
def test_a_whole_night_publishes_no_small_group_an_analyst_can_solve_for(
    warehouse_dsn: str, tmp_path: Path, seed: int
) -> None:
    generate_landing(tmp_path / "landing", employees=300, seed=seed, as_of=AS_OF)
    night = run_night(tmp_path / "landing", AS_OF, publish=False)
    with psycopg.connect(warehouse_dsn) as conn:
        assert attack_mtu(conn, BUILD_SCHEMA, K) == []
        assert attack_absence(conn, BUILD_SCHEMA, K) == []
    pipeline.publish(night.run_id)
    gate = query(
        warehouse_dsn,
        "select sum(published_cells), sum(determined) from audit.disclosure_checks where stage = 'gate'"
        " and run_id = %s",
        night.run_id,
    )
    assert gate[0][0] > 0 and gate[0][1] == 0


def test_the_gate_holds_back_a_mart_with_a_planted_recoverable_cell(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    generate_landing(tmp_path / "landing", employees=300, seed=5, as_of=AS_OF)
    night = run_night(tmp_path / "landing", AS_OF, publish=False)
    with psycopg.connect(warehouse_dsn) as conn:
        # Show again one breakdown cell of fewer than k respondents (its figure is planted, too).
        planted = conn.execute(
            f"""
            update {BUILD_SCHEMA}.mtu_breakdown_results set suppressed = false, score = 50
            where (survey_id, org_unit_code, background_variable, background_value) = (
                select survey_id, org_unit_code, background_variable, background_value
                from {BUILD_SCHEMA}.mtu_breakdown_results
                where suppressed and n_respondents between 1 and {K - 1}
                order by 1, 2, 3, 4 limit 1
            )
            """
        ).rowcount
        assert planted > 0
        assert attack_mtu(conn, BUILD_SCHEMA, K) != []  # the analyst finds it
    with pytest.raises(PublishBlocked, match="mtu_breakdown_results"):
        pipeline.publish(night.run_id)
    status = dict(query(warehouse_dsn, "select mart, status from marts.publication_status"))
    assert status["mtu_breakdown_results"] != "published tonight"
    assert status["mtu_dimension_results"] == "published tonight"
    assert status["absence_monthly"] == "published tonight"
    checks = query(
        warehouse_dsn,
        "select published_cells, small_groups, determined from audit.disclosure_checks"
        " where run_id = %s and stage = 'gate' and mart = 'mtu_breakdown_results'",
        night.run_id,
    )
    assert checks and checks[0][1] > 0 and checks[0][2] > 0
    columns = {
        row[0]
        for row in query(
            warehouse_dsn,
            "select column_name from information_schema.columns where table_name = 'disclosure_checks'",
        )
    }
    assert not columns & {"score", "value", "favourable_pct", "sick_days"}  # counts only, never values
