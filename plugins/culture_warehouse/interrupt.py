"""Stop ``culture run`` promptly on SIGTERM or Ctrl-C, leaving the ledger consistent.

``culture run`` executes the DAG in-process, and Airflow's task runner replaces the SIGTERM
handler with one that calls the task's ``on_kill`` (nothing, for a Python task) and turns any
exception, Ctrl-C included, into a failed task that is retried while the next tasks run. So the
CLI calls :func:`stop_on_signals`, which keeps this module's handler in place for the whole night
(Airflow's later ``signal.signal`` calls for these two signals are ignored in this process), and
each stage runs inside :func:`stage`. A signal during a stage raises :class:`NightInterrupted`
there (a running query is cancelled, the open transaction rolls back, a file being loaded stays
``loading`` and so invisible) and the stage fails without retry; a signal between stages is
recorded, and every later stage fails at once, so the DAG run ends within seconds.

Under the Airflow scheduler nothing changes: there the task supervisor owns the signals.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_state: dict[str, Any] = {"installed": False, "in_stage": False, "requested": None, "set_handler": None}


class NightInterrupted(KeyboardInterrupt):
    """The operator stopped the night (a KeyboardInterrupt, so libraries cancel their queries)."""


def _on_signal(number: int, frame: FrameType | None) -> None:
    name = signal.Signals(number).name
    _state["requested"] = _state["requested"] or name
    if _state["in_stage"]:
        raise NightInterrupted(f"interrupted by {name}")


def stop_on_signals() -> None:
    """Called by the CLI: SIGTERM and SIGINT stop this process's night."""
    _state.update(installed=True, in_stage=False, requested=None)
    original: Callable[..., Any] = _state["set_handler"] or signal.signal
    _state["set_handler"] = original
    for number in _SIGNALS:
        original(number, _on_signal)

    def keep_ours(number: int, handler: Any) -> Any:
        if number in _SIGNALS and _state["installed"]:
            return _on_signal
        return original(number, handler)

    signal.signal = keep_ours  # type: ignore[assignment]


def restore_defaults() -> None:
    """After the night: a further signal acts as it normally would."""
    _state.update(installed=False, in_stage=False)
    original = _state["set_handler"]
    if original is not None:
        signal.signal = original
        _state["set_handler"] = None
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
    try:
        if requested():
            raise NightInterrupted(f"interrupted by {requested()}")
        _state["in_stage"] = _state["installed"]
        try:
            yield
        finally:
            _state["in_stage"] = False
    except NightInterrupted as stopped:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(f"the night was {stopped}") from None
