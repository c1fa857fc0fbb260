"""One in-process night at a time per local state folder.

``culture run`` and ``culture backfill`` keep Airflow's SQLite metadata, dbt's target and logs
and the GX context under the state folder (``CULTURE_HOME``, default ``.culture``). Two of them
at once from one checkout, say a night into one warehouse and the acceptance check into another,
failed with SQLite's "database is locked" half-way. The second now waits for the first and says
so; a different ``CULTURE_HOME`` runs beside it.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from culture_warehouse.config import state_dir


class StateBusy(RuntimeError):
    """Another night held the state folder for longer than we were willing to wait."""


@contextmanager
def exclusive_state(
    wait_seconds: float | None = None, out: TextIO = sys.stderr, folder: Path | None = None
) -> Iterator[None]:
    """Hold the state folder's lock for the duration; wait (saying why) while another holds it."""
    folder = folder or state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "night.lock"
    with path.open("a+") as handle:
        if not _try_lock(handle):
            holder = _holder(path)
            print(
                f"culture: another night is using {folder} ({holder}); waiting for it to finish"
                " (a different CULTURE_HOME runs beside it)",
                file=out,
                flush=True,
            )
            deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
            while not _try_lock(handle):
                if deadline is not None and time.monotonic() > deadline:
                    raise StateBusy(f"{folder} is still in use by another night ({holder})")
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _try_lock(handle: TextIO) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(path: Path) -> str:
    text = path.read_text().strip()
    return text if text.startswith("pid ") else "a process"
