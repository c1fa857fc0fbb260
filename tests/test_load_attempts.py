"""A file whose load never finishes is not retried forever: after three loads cut short (here the
database connection is killed mid-COPY each time, as a timeout or an OOM kill would cut them), the
next night rejects it with the reason and the files after it in its folder load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from culture_warehouse import pipeline
from culture_warehouse.audit.ledger import MAX_ATTEMPTS
from culture_warehouse.ingest import IngestError
from drops import write_hr_drop
from nights import ingest_hr_while_its_copy_is_killed, query

pytestmark = pytest.mark.slow

AS_OF = dt.date(2026, 7, 1)


def night_killed_mid_copy(dsn: str, landing: Path, run_id: str) -> None:
    """Prepare and ingest hr while the employees COPY is terminated from another session."""
    pipeline.start_night(AS_OF, run_id, str(landing))
    killed, failure = ingest_hr_while_its_copy_is_killed(dsn, AS_OF, run_id, landing)
    assert killed, "the COPY finished before it could be cut short"
    assert [type(error) for error in failure] == [IngestError]
    assert str(failure[0]).startswith("hr/employees_20260630.csv: ")


def test_a_file_cut_short_three_times_is_rejected_and_the_files_after_it_load(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    write_hr_drop(tmp_path, n_a=150_000, n_b=50_000)
    for attempt in range(MAX_ATTEMPTS):
        night_killed_mid_copy(warehouse_dsn, tmp_path, f"killed-{attempt}")
    never_reached = "select count(*) from audit.load_ledger where path like '%org_units%'"
    assert query(warehouse_dsn, never_reached) == [(0,)]

    pipeline.start_night(AS_OF, "fourth", str(tmp_path))
    pipeline.ingest("hr", AS_OF, "fourth", str(tmp_path))
    assert query(warehouse_dsn, "select path, status, reason from audit.load_ledger order by path") == [
        (
            "hr/employees_20260630.csv",
            "rejected",
            "employees_20260630.csv: not tried again: 3 earlier loads of these bytes never finished"
            " (timed out, killed, or the database went away while reading them)",
        ),
        ("hr/org_units_20260630.csv", "loaded", None),
    ]
    assert query(warehouse_dsn, "select count(*) from raw.hr_employees") == [(0,)]
