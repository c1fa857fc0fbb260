"""Two in-process nights from one checkout: the second waits for the first and says so."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from culture_warehouse.state_lock import StateBusy, exclusive_state

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from culture_warehouse.state_lock import exclusive_state
    with exclusive_state(folder=Path(sys.argv[1])):
        print("holding", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def holder(folder: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    return process


def test_a_second_night_on_the_same_state_waits_for_the_first_and_says_so(tmp_path: Path) -> None:
    first = holder(tmp_path, 1.5)
    said = io.StringIO()
    started = time.monotonic()
    with exclusive_state(out=said, folder=tmp_path):
        waited = time.monotonic() - started
    first.wait(timeout=10)
    assert waited >= 0.5  # it did not run beside the first
    message = said.getvalue()
    assert "another night is using" in message and str(tmp_path) in message
    assert f"pid {first.pid}" in message and "CULTURE_HOME" in message


def test_a_night_that_cannot_wait_longer_stops_with_the_reason(tmp_path: Path) -> None:
    first = holder(tmp_path, 5)
    try:
        with pytest.raises(StateBusy, match="still in use"), exclusive_state(0.3, io.StringIO(), tmp_path):
            pass
    finally:
        first.kill()
        first.wait()


def test_nights_on_different_state_folders_run_side_by_side(tmp_path: Path) -> None:
    first = holder(tmp_path / "a", 5)
    try:
        said = io.StringIO()
        with exclusive_state(0.3, said, tmp_path / "b"):
            pass
        assert said.getvalue() == ""
    finally:
        first.kill()
        first.wait()


def test_the_lock_is_released_when_its_night_ends(tmp_path: Path) -> None:
    with exclusive_state(folder=tmp_path):
        pass
    with exclusive_state(0.1, io.StringIO(), tmp_path):
        pass
