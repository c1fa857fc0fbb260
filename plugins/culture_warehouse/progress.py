"""What ``culture run`` is doing, shown live on a terminal: the stage, files and rows per folder.

The night's code reports through the hooks below (:func:`stage`, :func:`folder_started`,
:func:`file_started`, :func:`file_done`). They do nothing until the CLI installs a reporter, and
the CLI does that only when stderr is a terminal and neither ``--quiet``, ``CI`` nor
``TERM=dumb`` asks for silence (rich itself drops colours under ``NO_COLOR``). Under the Airflow
scheduler, in CI, in pipes and in tests the night prints exactly what it printed before.

Only stage and folder names, file names and counts are shown, never anything read from a file.
A display that breaks is switched off; it never fails the night.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

log = logging.getLogger(__name__)

_NAME_WIDTH = 48


class Reporter(Protocol):
    def stage(self, name: str) -> None: ...

    def folder_started(self, folder: str, files: int) -> None: ...

    def file_started(self, folder: str, file_name: str) -> None: ...

    def file_done(self, folder: str, file_name: str, status: str, rows_loaded: int) -> None: ...

    def close(self) -> None: ...


class Silent:
    """The default: reports go nowhere."""

    def stage(self, name: str) -> None:
        pass

    def folder_started(self, folder: str, files: int) -> None:
        pass

    def file_started(self, folder: str, file_name: str) -> None:
        pass

    def file_done(self, folder: str, file_name: str, status: str, rows_loaded: int) -> None:
        pass

    def close(self) -> None:
        pass


_reporter: Reporter = Silent()


def _shown(name: str) -> str:
    """A file name safe to put on a terminal: no control characters, not too long."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    return clean if len(clean) <= _NAME_WIDTH else "…" + clean[-(_NAME_WIDTH - 1) :]


class RichReporter:
    """One line for the night (stage, elapsed time) and one per folder (files, rows)."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(finished_text="✓"),
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[detail]}", markup=False),
            TimeElapsedColumn(),
            console=console,
        )
        self._night = self._progress.add_task("night: starting Airflow", total=None, detail="")
        self._folders: dict[str, _Folder] = {}
        self._progress.start()

    def stage(self, name: str) -> None:
        self._progress.update(self._night, description=f"night: {name}", refresh=True)

    def folder_started(self, folder: str, files: int) -> None:
        state = self._folders.get(folder)
        if state is None:
            state = self._folders[folder] = _Folder(self._progress.add_task(f"  {folder}", detail=""))
        state.files, state.done, state.rows, state.rejected = files, 0, 0, 0
        self._progress.reset(state.task, total=max(files, 1), completed=0 if files else 1)
        self._show(state, "no new files" if files == 0 else "")

    def file_started(self, folder: str, file_name: str) -> None:
        state = self._folders.get(folder)
        if state is not None:
            self._show(state, _shown(file_name))

    def file_done(self, folder: str, file_name: str, status: str, rows_loaded: int) -> None:
        state = self._folders.get(folder)
        if state is None:
            return
        state.done += 1
        state.rows += rows_loaded
        state.rejected += status == "rejected"
        self._progress.update(state.task, completed=state.done)
        self._show(state, "" if state.done == state.files else f"{_shown(file_name)}: {status}")

    def _show(self, state: _Folder, note: str) -> None:
        detail = f"{state.done}/{state.files} files  {state.rows:,} rows"
        if state.rejected:
            detail += f"  {state.rejected} rejected"
        self._progress.update(state.task, detail=f"{detail}  {note}".rstrip(), refresh=True)

    def close(self) -> None:
        self._progress.update(self._night, description="night: done", total=1, completed=1)
        self._progress.stop()


@dataclass
class _Folder:
    task: TaskID
    files: int = 0
    done: int = 0
    rows: int = 0
    rejected: int = 0


def wanted(stream: IO[str], quiet: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to show progress on ``stream``: a terminal, and nobody asked for quiet."""
    env = os.environ if environ is None else environ
    if quiet or env.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


@contextmanager
def showing(enabled: bool = True, console: Console | None = None) -> Iterator[None]:
    """Show the night's progress for the block's duration (on stderr unless ``console`` is given)."""
    global _reporter
    if not enabled:
        yield
        return
    from rich.console import Console

    _reporter = RichReporter(console or Console(file=sys.stderr))
    try:
        yield
    finally:
        reporter, _reporter = _reporter, Silent()
        try:
            reporter.close()
        except Exception as error:
            log.debug("progress display could not close: %s", type(error).__name__)


def _report(call: str, *args: object) -> None:
    global _reporter
    try:
        getattr(_reporter, call)(*args)
    except Exception as error:  # a display must never fail the night
        log.debug("progress display switched off: %s", type(error).__name__)
        broken, _reporter = _reporter, Silent()
        try:
            broken.close()
        except Exception:
            log.debug("progress display could not close")


def stage(name: str) -> None:
    """The night entered a stage (prepare, ingest <folder>, transform, publish)."""
    _report("stage", name)


def folder_started(folder: str, files: int) -> None:
    """A landing folder has ``files`` files to go through tonight."""
    _report("folder_started", folder, files)


def file_started(folder: str, file_name: str) -> None:
    _report("file_started", folder, file_name)


def file_done(folder: str, file_name: str, status: str, rows_loaded: int = 0) -> None:
    """One file is through the door (loaded, rejected, duplicate, already handled or left for later)."""
    _report("file_done", folder, file_name, status, rows_loaded)
