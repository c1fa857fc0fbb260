"""A night's parameters as whoever triggers it gives them: checked before anything uses them.

``as_of`` must be a date spelled ``YYYY-MM-DD``; ``run_id`` must be spelled as Airflow spells run
ids (it names the night in ``audit`` and reaches dbt); a ``landing`` given with a DAG trigger must
lie inside the configured landing location or an allow-listed prefix, unless the operator allows
any. Errors are ParameterError, which the DAG turns into a failure without retries.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from culture_warehouse.config import landing_location
from culture_warehouse.redaction import redact_url

RUN_ID = re.compile(r"[A-Za-z0-9_.~:+-]{1,250}")
"""Airflow's default ``allowed_run_id_pattern`` (and the characters of the run ids it generates,
``scheduled__2026-07-01T00:00:00+00:00``), at most as long as its ``run_id`` column: no quote, no
space, nothing that could end a SQL literal or a shell word."""

BACKFILL_RUN_TYPE = "backfill"
"""Airflow's ``DagRunType.BACKFILL_JOB``: its run ids start ``backfill__``."""

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = ("1", "true", "yes", "on")


class ParameterError(ValueError):
    """A night parameter that is not allowed; the message says which and why."""


def check_run_id(run_id: str) -> str:
    """The run id when it is spelled like an Airflow run id; else ParameterError."""
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise ParameterError(
            f"run_id {str(run_id)[:80]!r} is not a run id: 1 to 250 of the characters A-Z a-z 0-9 _ . ~ : + -"
        )
    return run_id


def parse_as_of(value: object) -> dt.date:
    """``as_of`` as a date: exactly ``YYYY-MM-DD`` (not ``20260701``, not a week date); else
    ParameterError naming the value."""
    if isinstance(value, dt.datetime):
        raise ParameterError(f"as_of must be a date (YYYY-MM-DD), not a time: {value.isoformat()!r}")
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ParameterError(f"as_of must be a date written YYYY-MM-DD, got {text[:40]!r}")


def landing_override_allowed() -> bool:
    """``CULTURE_ALLOW_LANDING_OVERRIDE=true``: a DAG trigger may name any landing location."""
    return os.environ.get("CULTURE_ALLOW_LANDING_OVERRIDE", "").strip().lower() in _TRUE


def allowed_landing_prefixes() -> tuple[str, ...]:
    """Where a triggered night may read: ``CULTURE_LANDING`` and each ``CULTURE_LANDING_ALLOW`` prefix."""
    allowed = [p.strip() for p in os.environ.get("CULTURE_LANDING_ALLOW", "").split(",") if p.strip()]
    configured = landing_location()
    return tuple([configured, *allowed] if configured else allowed)


def trigger_landing(value: object) -> str | None:
    """The ``landing`` parameter of a DAG trigger, when it may be read; None when not given (the
    night then reads ``CULTURE_LANDING``). ParameterError for a location outside the allowed ones.

    Whoever may trigger a run is not thereby allowed to point the night at any folder or bucket
    the worker can read: it would load whatever lies there as tonight's HR data.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    landing = str(value).strip()
    if landing_override_allowed():
        return landing
    prefixes = allowed_landing_prefixes()
    if any(is_within(landing, prefix) for prefix in prefixes):
        return landing
    allowed = ", ".join(redact_url(p) for p in prefixes) or "none configured"
    raise ParameterError(
        f"landing {redact_url(landing)[:200]!r} is not an allowed landing location (allowed: {allowed});"
        " an operator may add a prefix to CULTURE_LANDING_ALLOW or set CULTURE_ALLOW_LANDING_OVERRIDE=true"
    )


def is_within(location: str, prefix: str) -> bool:
    """True when ``location`` is ``prefix`` or lies below it, segment by segment: ``/data/landing``
    does not cover ``/data/landing-old`` nor ``/data/landing/../secrets``; a local folder is
    compared by its real path (symlinks resolved)."""
    if "://" in location or "://" in prefix:
        return _url_within(location, prefix)
    if not Path(location).is_absolute() or not Path(prefix).is_absolute():
        return False
    real, root = os.path.realpath(location), os.path.realpath(prefix)
    return real == root or real.startswith(root.rstrip("/") + "/")


def _url_within(location: str, prefix: str) -> bool:
    url, root = urlsplit(location), urlsplit(prefix)
    if (url.scheme.lower(), url.netloc) != (root.scheme.lower(), root.netloc) or url.query or url.fragment:
        return False
    segments = url.path.split("/")
    if any(segment in (".", "..") for segment in segments) or "%" in url.path:
        return False
    base = root.path.rstrip("/")
    return url.path.rstrip("/") == base or url.path.startswith(base + "/")


def is_backfill(run_id: str, run_type: object = None) -> bool:
    """True for a night that may rebuild the past: an Airflow backfill run (run type ``backfill``;
    the ``backfill__`` run id prefix only when the run type is unknown, since a manual trigger may
    choose its run id) or a night of ``culture backfill`` (which sets ``CULTURE_BACKFILL``)."""
    if os.environ.get("CULTURE_BACKFILL", "").strip().lower() in _TRUE:
        return True
    if run_type is not None:
        return str(getattr(run_type, "value", run_type)) == BACKFILL_RUN_TYPE
    return run_id.startswith(f"{BACKFILL_RUN_TYPE}__")
