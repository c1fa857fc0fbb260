"""``culture run``'s live progress: stage, files and rows per folder on a terminal, nothing elsewhere."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import nullcontext
from typing import Any

import pytest
from rich.console import Console

from culture_warehouse import cli, ingest, progress
from culture_warehouse.landing import LandingFile


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=140, color_system=None), out


def _a_small_night() -> None:
    progress.stage("prepare")
    progress.stage("ingest hr")
    progress.folder_started("hr", 3)
    progress.file_started("hr", "hr_employees_2026-10-01.csv")
    progress.file_done("hr", "hr_employees_2026-10-01.csv", "loaded", 1234)
    progress.file_done("hr", "hr_absence\x1b[31m_2026-10-01.csv", "rejected", 0)
    progress.file_done("hr", "hr_units_2026-10-01.csv", "loaded", 5)
    progress.stage("ingest mtu")
    progress.folder_started("mtu", 0)
    progress.stage("transform (dbt build)")


def test_a_terminal_shows_the_stage_and_each_folders_files_and_rows() -> None:
    console, out = _terminal()
    with progress.showing(console=console):
        _a_small_night()
        shown_during = out.getvalue()
    shown = out.getvalue()
    assert "night: ingest hr" in shown_during
    assert "night: transform (dbt build)" in shown_during
    assert "3/3 files  1,239 rows  1 rejected" in shown
    assert "0/0 files  0 rows  no new files" in shown
    assert "night: done" in shown
    assert "\x1b[31m_2026" not in shown  # a file name cannot drive the terminal
    assert isinstance(progress._reporter, progress.Silent)  # uninstalled after the night


def test_nothing_is_printed_when_no_reporter_is_installed(capsys: pytest.CaptureFixture[str]) -> None:
    _a_small_night()
    assert capsys.readouterr() == ("", "")


def test_a_disabled_display_prints_nothing() -> None:
    console, out = _terminal()
    with progress.showing(False, console=console):
        _a_small_night()
    assert out.getvalue() == ""


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "quiet", "environ", "shown"),
    [
        (_Tty(), False, {"TERM": "xterm"}, True),
        (io.StringIO(), False, {}, False),  # a pipe, a file, Airflow's task log
        (_Tty(), True, {}, False),  # --quiet
        (_Tty(), False, {"CI": "true"}, False),
        (_Tty(), False, {"CI": "0"}, True),
        (_Tty(), False, {"TERM": "dumb"}, False),
    ],
)
def test_progress_is_wanted_only_on_a_terminal_nobody_silenced(
    stream: io.StringIO, quiet: bool, environ: dict[str, str], shown: bool
) -> None:
    assert progress.wanted(stream, quiet, environ) is shown


def test_a_broken_display_never_fails_the_night() -> None:
    class Broken(progress.Silent):
        def stage(self, name: str) -> None:
            raise OSError("terminal went away")

    progress._reporter = Broken()
    try:
        progress.stage("prepare")
        assert isinstance(progress._reporter, progress.Silent)
        assert not isinstance(progress._reporter, Broken)
    finally:
        progress._reporter = progress.Silent()


def test_run_and_backfill_take_quiet() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["run", "--quiet"]).quiet
    assert not parser.parse_args(["run"]).quiet
    assert parser.parse_args(["backfill", "--from", "2026-10-01", "--to", "2026-10-02", "--quiet"]).quiet


class _Recorder(progress.Silent):
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def folder_started(self, folder: str, files: int) -> None:
        self.calls.append(("folder", folder, files))

    def file_done(self, folder: str, file_name: str, status: str, rows_loaded: int) -> None:
        self.calls.append(("done", file_name, status, rows_loaded))


def test_ingest_folder_reports_every_file_it_goes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loaded, already handled and left-for-later files all count; files of other folders do not."""
    files = [
        LandingFile("hr/a_2026-09-01.csv", 10),
        LandingFile("hr/b_2026-09-02.csv", 10),
        LandingFile("hr/c_2026-12-01.csv", 10),  # after the night's date
        LandingFile("mtu/other.csv", 10),
    ]

    class Landing:
        def files(self) -> list[LandingFile]:
            return files

    class Ingestor:
        folder = "hr"

        def recognise(self, file: LandingFile) -> ingest.Recognised:
            extract = dt.date.fromisoformat(file.name.split("_")[1].removesuffix(".csv"))
            return ingest.Recognised("employees", extract, None)

    def ingest_file(conn: object, night: object, landing: object, ingestor: object, file: LandingFile,
                    recognised: object, group: object = None) -> ingest.FileResult | None:  # fmt: skip
        if file.name.startswith("a"):
            return ingest.FileResult(file.path, "loaded", 7, 7)
        return None  # these bytes were handled on an earlier night

    monkeypatch.setattr(ingest, "connect", lambda *args, **kwargs: nullcontext())
    monkeypatch.setattr(ingest, "ingest_file", ingest_file)
    recorder = _Recorder()
    monkeypatch.setattr(progress, "_reporter", recorder)
    night = ingest.Night(dsn="unused", as_of=dt.date(2026, 10, 1), run_id="r", pseudonymise=str)

    summary = ingest.ingest_folder(night, Landing(), Ingestor())  # type: ignore[arg-type]

    assert summary.left_for_later == 1
    assert recorder.calls == [
        ("folder", "hr", 3),
        ("done", "a_2026-09-01.csv", "loaded", 7),
        ("done", "b_2026-09-02.csv", "already handled", 0),
        ("done", "c_2026-12-01.csv", "left for later", 0),
    ]
