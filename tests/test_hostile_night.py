"""One whole night through ``culture run`` (the real DAG, XCom, logs and the alert webhook) on a
landing zone where an attacker planted a symlink out, a FIFO, a DOCX zip bomb, an XLSX declaring a
million rows, an XLSX whose error quotes a name, Arabic-Indic digits, a NUL byte and a 30 MB line.

The night completes; each hostile file is rejected with its reason (the Arabic-Indic row is
quarantined); the files after it in its folder load; and the name planted in every hostile file
appears in no table, log line, alert or XCom. A second night does not read them again.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from test_hr_door import database_text_containing

from conftest import fresh_database
from culture_warehouse import pipeline
from culture_warehouse.sources.registry import FOLDERS
from drops import write_hr_drop
from hostile import (
    PLANTED,
    plant_fifo,
    write_arabic_indic_digits,
    write_docx_bomb,
    write_long_line,
    write_million_row_xlsx,
    write_name_in_error_xlsx,
    write_nul_byte,
    write_outside_target,
)
from nights import query

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

AS_OF = dt.date(2026, 10, 1)
CULTURE = Path(sys.executable).with_name("culture")
NEEDLES = [PLANTED, *PLANTED.split()]

REJECTED = {
    "hr/absence_20260630.csv": (
        "absence_20260630.csv: a symbolic link to a file outside the landing zone: not read"
    ),
    "hr/mus_20260630.csv": "mus_20260630.csv: a named pipe (FIFO), not a regular file: not read",
    "hr/competence_20260630.csv": (
        "competence_20260630.csv: a NUL byte at line 3 (binary content): expected UTF-8 or Windows-1252 text"
    ),
    "hr/mobility_20260630.csv": "mobility_20260630.csv: line 2 is longer than the limit of 1000000 bytes",
    "apv/apv_20260331.xlsx": (
        "apv_20260331.xlsx: XLSX workbook a sheet declares 1000000 rows,"
        " more than the limit of 500000: not read"
    ),
    "minutes/a_referat.docx": (
        "a_referat.docx: .docx expands to more than 209715200 bytes (a zip bomb?): not expanded"
    ),
    "results/goals_2025.xlsx": "goals_2025.xlsx: unreadable (ValueError)",
}
LOADED_AFTER_THEM = [
    "hr/employees_20260630.csv",
    "hr/org_units_20260630.csv",
    "hr/performance_20260630.csv",
    "apv/apv_20260630.csv",
    "minutes/referat_su.md",
    "results/goals_2026.csv",
]

MINUTES = """Udvalg: SU
Enhed: Kontor A (1100)
Dato: 12.03.2026
Til stede: 4 personer
Afbud: ingen

## 1. Trivsel
Beslutning: Temamøde om trivsel.
"""


@dataclass
class HostileNight:
    dsn: str
    landing: Path
    returncode: int
    output: str
    alerts: list[dict[str, Any]]
    airflow_home: Path
    culture_home: Path


def plant_landing(landing: Path, outside: Path) -> None:
    """A small valid drop, and in front of each folder's valid files a hostile one."""
    write_hr_drop(landing)
    hr = landing / "hr"
    (hr / "absence_20260630.csv").symlink_to(write_outside_target(outside / "absence.csv"))
    plant_fifo(hr / "mus_20260630.csv")
    write_nul_byte(hr / "competence_20260630.csv")
    write_long_line(hr / "mobility_20260630.csv")
    write_arabic_indic_digits(hr / "performance_20260630.csv")
    write_million_row_xlsx(landing / "apv" / "apv_20260331.xlsx")
    (landing / "apv" / "apv_20260630.csv").write_text(
        "finding_id;apv_round;org_unit_code;category;identified_on;status\n"
        "F1;APV2026;1100;psykisk;2026-03-01;åben\n",
        encoding="utf-8",
    )
    write_docx_bomb(landing / "minutes" / "a_referat.docx")
    (landing / "minutes" / "referat_su.md").write_text(MINUTES, encoding="utf-8")
    write_name_in_error_xlsx(landing / "results" / "goals_2025.xlsx")
    (landing / "results" / "goals_2026.csv").write_text(
        "goal_id;org_unit_code;year;title;achieved\nG1;1100;2026;Trivsel;ja\n", encoding="utf-8"
    )


@pytest.fixture(scope="module")
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()


@pytest.fixture(scope="module")
def night(
    pg_server: str,
    tmp_path_factory: pytest.TempPathFactory,
    webhook: tuple[str, list[dict[str, Any]]],
) -> Iterator[HostileNight]:
    base = tmp_path_factory.mktemp("hostile")
    landing, airflow_home, culture_home = base / "landing", base / "airflow", base / "culture"
    plant_landing(landing, base / "outside")
    url, alerts = webhook
    with fresh_database(pg_server) as dsn:
        env = {
            **os.environ,
            "CULTURE_WAREHOUSE_DSN": "",
            "CULTURE_HOME": str(culture_home),
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW_CONN_CULTURE_ALERTS": url,
        }
        command = ["run", "--landing", str(landing), "--dsn", dsn, "--as-of", str(AS_OF), "--verbose"]
        done = subprocess.run(
            [str(CULTURE), *command],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        yield HostileNight(
            dsn, landing, done.returncode, done.stdout + done.stderr, alerts, airflow_home, culture_home
        )


def ledger(dsn: str) -> dict[str, tuple[str, str | None]]:
    return {
        str(path): (str(status), reason)
        for path, status, reason in query(dsn, "select path, status, reason from audit.load_ledger")
    }


def test_the_night_completes_and_rejects_every_hostile_file_with_its_reason(night: HostileNight) -> None:
    runs = query(night.dsn, "select status from audit.runs")
    assert runs == [("published",)], night.output[-3000:]
    assert night.returncode == 0, night.output[-3000:]
    found = ledger(night.dsn)
    assert {path: found.get(path) for path in REJECTED} == {
        path: ("rejected", reason) for path, reason in REJECTED.items()
    }


def test_the_files_after_a_hostile_file_in_its_folder_load(night: HostileNight) -> None:
    found = ledger(night.dsn)
    assert {path: found[path][0] for path in LOADED_AFTER_THEM} == dict.fromkeys(LOADED_AFTER_THEM, "loaded")
    assert query(night.dsn, "select count(*) from raw.hr_employees") == [(10,)]
    assert query(night.dsn, "select finding_id from raw.apv_findings") == [("F1",)]


def test_arabic_indic_digits_are_a_row_error_with_file_line_and_column(night: HostileNight) -> None:
    assert query(night.dsn, "select file_name, line_number, column_name, reason from audit.quarantine") == [
        ("performance_20260630.csv", 3, "rating", "not a number (digits other than 0-9)")
    ]
    assert query(night.dsn, "select review_id, rating from raw.hr_performance order by review_id") == [
        ("R1", 4),
        ("R3", 3),
    ]


def test_the_planted_name_reaches_no_table_log_alert_or_xcom(night: HostileNight) -> None:
    assert database_text_containing(night.dsn, NEEDLES) == []
    assert [needle for needle in NEEDLES if needle in night.output] == []
    assert "rejected" in night.output  # the log lines are there, without the name
    assert night.alerts, "the rejected files must have been alerted"
    alert_text = json.dumps(night.alerts, ensure_ascii=False)
    assert "mus_20260630.csv: a named pipe (FIFO)" in alert_text
    assert [needle for needle in NEEDLES if needle in alert_text] == []
    xcom = xcom_values(night.airflow_home)
    assert any("named pipe" in value for value in xcom), "the ingest summaries must be in XCom"
    assert [value for value in xcom if any(needle in value for needle in NEEDLES)] == []
    assert files_containing([night.airflow_home, night.culture_home], NEEDLES) == []


def test_a_second_night_does_not_read_the_hostile_files_again(
    night: HostileNight, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CULTURE_WAREHOUSE_DSN", night.dsn)
    before = query(night.dsn, "select load_id, path, status from audit.load_ledger order by load_id")
    as_of = AS_OF + dt.timedelta(days=1)
    run_id, landing = "hostile-second-night", str(night.landing)
    pipeline.start_night(as_of, run_id, landing)
    summaries = [pipeline.ingest(folder, as_of, run_id, landing) for folder in FOLDERS]
    assert [summary["files"] for summary in summaries] == [[]] * len(FOLDERS)
    assert query(night.dsn, "select load_id, path, status from audit.load_ledger order by load_id") == before


def xcom_values(airflow_home: Path) -> list[str]:
    with sqlite3.connect(airflow_home / "airflow.db") as conn:
        return [str(value) for (value,) in conn.execute("select value from xcom")]


def files_containing(folders: list[Path], needles: list[str]) -> list[str]:
    """Logs, dbt and GX artefacts, and Airflow's metadata database holding a needle."""
    encoded = [needle.encode() for needle in needles]
    return [
        str(path)
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and any(needle in path.read_bytes() for needle in encoded)
    ]
