"""Settings of one night: where the landing zone and the warehouse are, and the privacy knobs.

Command-line flags win over environment variables, which win over the local defaults. Secrets
(the DSN's password, the pseudonym key) are read here and never written to XCom or logs.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MIN_GROUP_SIZE = 5

TASK_TIMEOUT_MINUTES = {
    "prepare": 30,
    "ingest": 180,
    "transform": 360,
    "publish": 90,
    "docs": 30,
    "report": 30,
}
"""How long each task of the nightly DAG may run before Airflow stops it (``execution_timeout``);
``CULTURE_TASK_TIMEOUT_<TASK>_MINUTES`` overrides one. Generous: a full night at 190,000
employees takes about 9 minutes (README, Benchmark), 30 on a machine shared with other work."""


def project_dir() -> Path:
    """The folder holding dbt_project/, expectations/ and config/ (the repository locally)."""
    configured = os.environ.get("CULTURE_PROJECT_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2]


def state_dir() -> Path:
    """Where local state lives: the embedded PostgreSQL, AIRFLOW_HOME, dbt and GX artefacts."""
    configured = os.environ.get("CULTURE_HOME")
    return Path(configured) if configured else project_dir() / ".culture"


def report_dir() -> Path:
    """Where the leaders' culture report is written: ``CULTURE_REPORT_DIR``, else ``<state>/report``."""
    configured = os.environ.get("CULTURE_REPORT_DIR")
    return Path(configured) if configured else state_dir() / "report"


def report_language() -> str:
    """The report's language, ``CULTURE_REPORT_LANG``: ``da`` (default) or ``en``."""
    return os.environ.get("CULTURE_REPORT_LANG", "").strip() or "da"


def min_group_size() -> int:
    """k of the confidentiality rules (indicators.md), from ``CULTURE_MIN_GROUP_SIZE``."""
    raw = os.environ.get("CULTURE_MIN_GROUP_SIZE", "")
    if not raw.strip():
        return DEFAULT_MIN_GROUP_SIZE
    value = int(raw)
    if value < 1:
        raise ValueError("CULTURE_MIN_GROUP_SIZE must be a positive whole number")
    return value


def task_timeout(task: str) -> dt.timedelta:
    """The ``execution_timeout`` of a DAG task (``prepare``, ``ingest``, ``transform``, ``publish``,
    ``docs``, and ``report`` of ``culture_report``)."""
    variable = f"CULTURE_TASK_TIMEOUT_{task.upper()}_MINUTES"
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return dt.timedelta(minutes=TASK_TIMEOUT_MINUTES[task])
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{variable} must be a positive whole number of minutes")
    return dt.timedelta(minutes=int(raw))


def max_active_tasks() -> int:
    """How many tasks of a night run at once (``CULTURE_MAX_ACTIVE_TASKS``; default: the cores).

    Only the ingest tasks run side by side. Each is CPU-bound (parsing in Python and Arrow, COPY
    and validation in PostgreSQL), so more of them than cores only share the same cores and
    memory: on the 2-core reference machine two at a time, the largest folder first, end the
    door sooner than five at once (README, Benchmark). Raise it with more cores or workers.
    """
    raw = os.environ.get("CULTURE_MAX_ACTIVE_TASKS", "").strip()
    if not raw:
        return max(1, os.cpu_count() or 1)
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValueError("CULTURE_MAX_ACTIVE_TASKS must be a positive whole number")
    return int(raw)


def disclosure_processes() -> int:
    """How many processes the disclosure control's search and the publish gate each use
    (``CULTURE_DISCLOSURE_PROCESSES``; default 2, or 1 on one core).

    With 2, a task and its two processes together peak at about 1.1 GB at state scale (each
    process under 650 MB) and the control's search takes about 180 s; with 1 the families are
    searched in the task's own process, one after the other: 830 MB and 310 s (README, Benchmark).
    """
    raw = os.environ.get("CULTURE_DISCLOSURE_PROCESSES", "").strip()
    if not raw:
        return min(2, max(1, os.cpu_count() or 1))
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise ValueError("CULTURE_DISCLOSURE_PROCESSES must be a positive whole number")
    return int(raw)


def local_environment() -> bool:
    """True on a laptop: ``CULTURE_ENV`` unset or ``local``. Any other value (``production``,
    ``test``, ``staging``…) is a deployment, where a missing pseudonym key stops the night instead
    of being generated."""
    return os.environ.get("CULTURE_ENV", "").strip().lower() in ("", "local")


class SecretFileError(ValueError):
    """A ``*_FILE`` variable names a file that cannot be read or holds nothing."""


def secret_from_file(variable: str) -> str | None:
    """The secret in the file the variable names (a Docker secret, ``/run/secrets/<name>``).

    None when the variable is unset or empty. The text is returned without its trailing line
    breaks, as a shell's ``$(< file)`` reads it (the postgres image reads ``*_FILE`` that way).
    SecretFileError, naming the variable and the path but never the content, when the file is
    missing, unreadable, not UTF-8 or empty.
    """
    path = os.environ.get(variable, "").strip()
    if not path:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SecretFileError(f"{variable}: cannot read {path} ({type(error).__name__})") from None
    secret = text.rstrip("\r\n")
    if not secret:
        raise SecretFileError(f"{variable}: {path} is empty")
    return secret


def landing_location() -> str | None:
    """The landing location from ``CULTURE_LANDING``: a local folder or an fsspec URL."""
    return os.environ.get("CULTURE_LANDING") or None


@dataclass(frozen=True)
class NightSettings:
    """What one nightly run needs to know; built by the CLI or from the DAG run's parameters."""

    landing: str
    as_of: dt.date
    min_group_size: int

    @classmethod
    def from_environment(cls, as_of: dt.date, landing: str | None = None) -> NightSettings:
        location = landing or landing_location()
        if not location:
            raise ValueError("no landing location: pass --landing or set CULTURE_LANDING")
        return cls(landing=location, as_of=as_of, min_group_size=min_group_size())
