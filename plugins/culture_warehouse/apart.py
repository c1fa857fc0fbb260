"""Work run in processes of their own, so that the memory it takes is given back when it ends.

A task's memory is its process tree's (memory.py). The transform task runs dbt and then the
disclosure control's two search processes; the publish task runs the Great Expectations suites
and then the gate's two processes. What dbt or GX leave in the task's own process (160–290 MB
measured at state scale: their modules, the parsed manifest, caches) would otherwise sit beside
the two search processes until the task ends. Spawned, not forked: a forked child would start
with a copy of everything its parent holds.

A process started here never outlives the task: it is sent SIGTERM when the task's process ends
(Linux's parent-death signal), and SIGTERM raises KeyboardInterrupt in it, so dbt and psycopg
cancel their running queries before it exits. When the task itself is interrupted while it
waits (``culture run`` on SIGTERM or Ctrl-C, interrupt.py), its processes are stopped the same
way before the interruption goes on: a dbt build never keeps running behind a stopped night.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def shared_out(
    work: Callable[..., T], shares: Sequence[tuple[Any, ...]], processes: int, what: str
) -> list[T]:
    """Each share's ``work(*share)``, in up to ``processes`` processes at a time, each share in a
    new process of its own (its memory is given back at its end), in the order of ``shares``;
    in this process, one share after the other, when ``processes`` is 0 or where processes
    cannot be started (a daemonic worker). ``work`` must be a module-level function, its
    arguments and result picklable; an exception it raises is raised here."""
    if processes > 0:
        try:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                max_workers=max(1, min(processes, len(shares))),
                mp_context=context,
                max_tasks_per_child=1,
                initializer=_end_with_the_task,
            ) as pool:
                try:
                    jobs = [pool.submit(work, *share) for share in shares]
                    return [job.result() for job in jobs]
                except BaseException:
                    _stop(pool)
                    raise
        except (AssertionError, OSError, BrokenProcessPool) as error:
            log.warning("%s in this process: %s", what, type(error).__name__)
    return [work(*share) for share in shares]


def in_own_process(work: Callable[..., T], *arguments: Any, what: str) -> T:
    """``work(*arguments)`` in a new process of its own, or in this one where none can be started."""
    return shared_out(work, [arguments], 1, what)[0]


_PR_SET_PDEATHSIG = 1
STOP_SECONDS = 20.0
"""How long a stopped process may take to cancel its queries before it is killed."""


def _end_with_the_task() -> None:
    """In each process started here: SIGTERM when the task's process ends, and SIGTERM as a
    KeyboardInterrupt (dbt and psycopg cancel their queries on it)."""
    signal.signal(signal.SIGTERM, _interrupted)
    with contextlib.suppress(OSError, AttributeError):  # not Linux: stopped by _stop only
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _interrupted(number: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(number).name)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's processes (SIGTERM, then SIGKILL after ``STOP_SECONDS``), drop its queue."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
