"""Stop ``culture run`` promptly on SIGTERM or Ctrl-C, leaving the ledger consistent.

``culture run`` executes the DAG in-process, and Airflow's task runner turns SIGTERM into a call
of the task's ``on_kill`` (nothing, for a Python task) and any exception, Ctrl-C included, into a
failed task that is retried while the next tasks run. So the CLI asks for :func:`stop_on_signals`,
and each stage runs inside :func:`stage`: the first signal raises :class:`NightInterrupted` where
the night is (a running query is cancelled, the open transaction rolls back, a file being loaded
stays ``loading`` and so invisible), the stage fails without retry, and every later stage fails
at once, so the DAG run ends within seconds.

Under the Airflow scheduler nothing changes: there the task supervisor owns the signals.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_state: dict[str, str | bool | None] = {"installed": False, "requested": None}


class NightInterrupted(KeyboardInterrupt):
    """The operator stopped the night (a KeyboardInterrupt, so libraries cancel their queries)."""


def _on_signal(number: int, frame: FrameType | None) -> None:
    name = signal.Signals(number).name
    _state["requested"] = _state["requested"] or name
    raise NightInterrupted(f"interrupted by {name}")


def stop_on_signals() -> None:
    """Called by the CLI: SIGTERM and SIGINT stop this process's night."""
    _state["installed"] = True
    _state["requested"] = None
    for number in _SIGNALS:
        signal.signal(number, _on_signal)


def restore_defaults() -> None:
    """After the night: a further signal acts as it normally would."""
    _state["installed"] = False
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def exit_status() -> int:
    """The shell's exit status for a process stopped by the requested signal (130, 143)."""
    name = requested()
    return 128 + int(signal.Signals[name]) if name else 1


def requested() -> str | None:
    """The signal that stopped the night, if one did."""
    value = _state["requested"]
    return value if isinstance(value, str) else None


@contextmanager
def stage() -> Iterator[None]:
    """Run one stage of the night; an interrupted night fails it at once and without retry."""
    if _state["installed"]:
        # Airflow's task runner installed its own SIGTERM handler for this task.
        for number in _SIGNALS:
            signal.signal(number, _on_signal)
    try:
        if requested():
            raise NightInterrupted(f"interrupted by {requested()}")
        yield
    except NightInterrupted as stopped:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"the night was {stopped}") from None
