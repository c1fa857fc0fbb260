"""The split between `make test-fast` and `make test` stays what the README says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)*)", makefile, re.MULTILINE)
    assert found, f"no {target} target in the Makefile"
    return found.group(1)


def test_the_slow_marker_is_registered_and_unknown_markers_are_errors() -> None:
    pytest_config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert any(marker.startswith("slow:") for marker in pytest_config["markers"])
    assert "--strict-markers" in pytest_config["addopts"]
    assert "-m" not in pytest_config["addopts"].split()  # nothing deselected by default


def test_make_test_runs_lint_and_every_test_and_test_fast_leaves_out_only_slow() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^test: lint unit$", makefile, re.MULTILINE)
    assert " -m " not in recipe("unit")
    assert '-m "not slow"' in recipe("test-fast")
    assert "lint" not in recipe("test-fast")
