"""Several institutions in one warehouse, each answering its own survey rounds.

A drop larger than a survey group (the public sector at large) gives each group of institutions
its own two MTU rounds (`culture generate`, `mtu_files.survey_groups`). Here every institution is
its own group: a unit's scorecard shows its own institution's latest round, and its deltas
compare with its own institution's previous round, never the other institution's. The models'
rule is proven figure by figure on a hand-written drop in `test_mtu_rounds_by_institution.py`;
this test is the generated drop of survey groups going through a whole night to those marts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from culture_dev.generate import generate_landing, mtu_files, orgtree
from nights import query, run_night

pytestmark = pytest.mark.slow  # a whole night through dbt

AS_OF = dt.date(2026, 10, 1)
SERIES = {"INST1": ("MTU2024", "MTU2026"), "INST2": ("MTU2024-2", "MTU2026-2")}


def test_each_institution_is_compared_with_its_own_survey_rounds(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(orgtree, "institution_count", lambda employees: 2)
    monkeypatch.setattr(mtu_files, "SURVEY_GROUP_EMPLOYEES", 1)  # every institution a group
    landing = tmp_path / "landing"
    summary = generate_landing(landing, employees=1_600, seed=5, as_of=AS_OF)
    assert sorted(summary.truth["survey_rounds"]) == sorted(s for pair in SERIES.values() for s in pair)

    assert "culture_scorecard" in run_night(landing, AS_OF).published

    shown = query(
        warehouse_dsn,
        """select units.institution_code, card.mtu_survey_id, count(*)
           from marts.culture_scorecard as card
           inner join marts.dim_org_unit as units
               on card.org_unit_code = units.org_unit_code
               and card.period_end >= units.valid_from
               and (units.valid_to is null or card.period_end < units.valid_to)
           where card.mtu_survey_id is not null
           group by 1, 2""",
    )
    assert shown, "units show a survey round"
    assert {(institution, survey) for institution, survey, _ in shown} <= {
        (institution, survey) for institution, pair in SERIES.items() for survey in pair
    }
    assert {institution for institution, _, _ in shown} == set(SERIES)

    results = query(
        warehouse_dsn,
        """select results.survey_id, units.institution_code, count(results.delta)
           from marts.mtu_dimension_results as results
           inner join (select distinct org_unit_code, institution_code from marts.dim_org_unit) as units
               on results.org_unit_code = units.org_unit_code
           group by 1, 2""",
    )
    institutions_of = {survey: {i for s, i, _ in results if s == survey} for survey, _, _ in results}
    for institution, pair in SERIES.items():
        assert all(institutions_of[survey] == {institution} for survey in pair), institutions_of
    deltas = {survey: count for survey, _, count in results}
    assert deltas["MTU2026"] > 0 and deltas["MTU2026-2"] > 0, "each late round compared with its own"
    assert deltas["MTU2024"] == deltas["MTU2024-2"] == 0, "an early round has nothing before it"
