"""`generate_landing`: one complete, deterministic landing drop from a seed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from culture_dev.generate.absence_files import write_absence_deltas
from culture_dev.generate.apv_files import ApvPlan, write_apv_snapshots
from culture_dev.generate.formats import DialectCycle
from culture_dev.generate.goals_files import write_goal_files
from culture_dev.generate.hr_event_files import write_event_extracts
from culture_dev.generate.hr_snapshots import (
    headcount_on,
    org_parents_on,
    write_employee_snapshots,
    write_org_unit_snapshots,
)
from culture_dev.generate.minutes_files import MinutesPlan, write_minutes
from culture_dev.generate.mtu_files import write_survey_rounds
from culture_dev.generate.orgtree import build_org_tree
from culture_dev.generate.people import Population, build_population
from culture_dev.generate.timeline import build_timeline
from culture_warehouse.sources.registry import FOLDERS

PERSONAL_TRUTH_LIMIT = 5_000
"""Up to this many employees the truth lists every CPR number and last name written."""
FREE_TEXT_POOL = 200


@dataclass(frozen=True)
class GenerationSummary:
    files: dict[str, int]
    """Relative path -> rows written (1 for a document)."""
    employees: int
    org_units: int
    truth: dict[str, Any]
    """Facts known independently of any reader, for tests: headcounts, the tree, CPRs, names."""

    def per_folder(self) -> dict[str, tuple[int, int]]:
        """Folder -> (files, rows)."""
        totals = dict.fromkeys(FOLDERS, (0, 0))
        for path, rows in self.files.items():
            folder = path.split("/", 1)[0]
            count, total = totals[folder]
            totals[folder] = (count + 1, total + rows)
        return totals


def generate_landing(
    out: Path,
    employees: int = 2000,
    seed: int = 42,
    as_of: dt.date = dt.date(2026, 10, 1),
) -> GenerationSummary:
    """Write a landing drop for a fictional Danish state institution (a ministry group of several
    at large scale) into `out`. The same seed gives byte-identical files."""
    if employees < 50:
        raise ValueError("a drop needs at least 50 employees to have a tree worth the name")
    timeline = build_timeline(as_of)
    tree = build_org_tree(np.random.default_rng([seed, 1]), employees, timeline)
    population = build_population(np.random.default_rng([seed, 2]), tree, timeline)
    for folder in FOLDERS:
        (out / folder).mkdir(parents=True, exist_ok=True)
    dialects = DialectCycle(seed)
    files: dict[str, int] = {}
    hr = out / "hr"
    files |= write_org_unit_snapshots(hr, population, timeline.snapshots, dialects)
    files |= write_employee_snapshots(hr, population, timeline.snapshots, dialects)
    files |= write_absence_deltas(
        hr, population, timeline.snapshots, timeline.history_start, dialects,
        np.random.default_rng([seed, 3]),
    )  # fmt: skip
    files |= write_event_extracts(
        hr, population, timeline.event_extracts, dialects, np.random.default_rng([seed, 4])
    )
    survey_files, survey_truth = write_survey_rounds(
        out / "mtu", population, timeline.survey_rounds, dialects, np.random.default_rng([seed, 5])
    )
    files |= survey_files
    names, cpr_pool = _free_text_people(population, np.random.default_rng([seed, 6]))
    apv_files, apv_truth = write_apv_snapshots(
        out / "apv",
        tree,
        ApvPlan(seed, timeline.apv_snapshots, timeline.last_snapshot, names, cpr_pool),
        dialects,
    )
    files |= apv_files
    files |= write_goal_files(
        out / "results", tree, timeline.goal_years, timeline.last_snapshot, seed, dialects
    )
    late_round = timeline.survey_rounds[1]
    minutes_plan = MinutesPlan(
        seed=seed,
        first_day=timeline.minutes_from,
        last_day=timeline.last_snapshot,
        survey_year=late_round.opens.year,
        last_submission=dt.date.fromisoformat(survey_truth[late_round.survey_id]["last_submission"]),
        cpr_pool=cpr_pool,
    )
    minutes_files, minutes_truth = write_minutes(out / "minutes", tree, minutes_plan)
    files |= minutes_files

    last = timeline.last_snapshot
    truth: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "snapshot_dates": [day.isoformat() for day in timeline.snapshots],
        "institutions": [institution.code for institution in tree.institutions],
        "headcount_at": {last.isoformat(): headcount_on(population, last)},
        "org_units": org_parents_on(tree, last),
        "tree_changes": tree.change_log(),
        "survey_rounds": survey_truth,
        "apv_findings": apv_truth["findings"],
        "minutes": {k: v for k, v in minutes_truth.items() if k != "cprs"},
        "free_text_cprs": sorted(set(apv_truth["cprs"]) | set(minutes_truth["cprs"])),
    }
    if employees <= PERSONAL_TRUTH_LIMIT:
        truth["cprs"] = sorted(set(population.cprs.tolist()))
        truth["last_names"] = sorted(set(population.last_names.tolist()))
    return GenerationSummary(
        files=dict(sorted(files.items())),
        employees=employees,
        org_units=len(truth["org_units"]),
        truth=truth,
    )


def _free_text_people(
    population: Population, rng: np.random.Generator
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names and CPR numbers of staff in the drop, for the free text people type."""
    chosen = rng.choice(population.numbers.size, min(FREE_TEXT_POOL, population.numbers.size), replace=False)
    chosen.sort()
    names = tuple(
        f"{first} {last}"
        for first, last in zip(
            population.first_names[chosen].tolist(), population.last_names[chosen].tolist(), strict=True
        )
    )
    return names, tuple(population.cprs[chosen].tolist())
