"""Confidentiality rules 1–3 of indicators.md, from Python: install and call the SQL function.

The rules are implemented once, as ``culture_fn.suppress_small_groups`` in the dbt macro
``dbt_project/macros/confidentiality.sql``. This module executes that macro's body (so tests and
the pipeline can install the function without dbt) and calls the function for a set of groups.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

MACRO_RELATIVE_PATH = Path("dbt_project/macros/confidentiality.sql")

_MACRO_BODY = re.compile(
    r"\{%-?\s*macro\s+create_suppression_function\(\)\s*-?%\}(?P<body>.*?)\{%-?\s*endmacro\s*-?%\}",
    re.DOTALL,
)
_JINJA_MARKUP = ("{{", "{%", "{#")

RULE_1 = "rule1: fewer than k"
"""Reason of a group smaller than k (rules 1 and 2 of indicators.md)."""
RULE_3 = "rule3: cover"
"""Reason of a group suppressed so that no suppressed group can be recovered by differencing."""

_CALL = """
select result.partition_key, result.group_key, result.reason
from culture_fn.suppress_small_groups(%(groups)s::jsonb, %(k)s::numeric) as result
"""


@dataclass(frozen=True, slots=True)
class Group:
    """One group whose figures may be published: an org unit, or a breakdown inside one.

    ``size`` counts the whole subtree (the group's own direct members and all its descendants'):
    respondents for MTU figures, average headcount for HR figures. ``parent_key`` is the nearest
    parent group in the same partition; groups of different partitions never affect each other.
    """

    partition_key: str
    group_key: str
    parent_key: str | None
    sort_key: str
    depth: int
    size: Decimal | int | float


def macro_path() -> Path:
    """The macro file holding the function, under ``CULTURE_PROJECT_DIR`` or this repository."""
    configured = os.environ.get("CULTURE_PROJECT_DIR")
    root = Path(configured) if configured else Path(__file__).resolve().parents[2]
    return root / MACRO_RELATIVE_PATH


def suppression_function_sql(path: Path | None = None) -> str:
    """The SQL inside ``create_suppression_function()``: exactly what dbt runs at on-run-start."""
    source = (path or macro_path()).read_text(encoding="utf-8")
    match = _MACRO_BODY.search(source)
    if match is None:
        raise ValueError(f"no create_suppression_function() macro in {path or macro_path()}")
    body = match.group("body")
    if any(markup in body for markup in _JINJA_MARKUP):
        raise ValueError("the body of create_suppression_function() must be plain SQL, no Jinja")
    return body.strip()


def install_suppression_function(conn: psycopg.Connection[Any]) -> None:
    """Create or replace ``culture_fn.suppress_small_groups`` in the caller's transaction."""
    conn.execute(suppression_function_sql().encode())


def _as_decimal(value: Decimal | int | float) -> Decimal:
    # str() first, so that 4.1 arrives as 4.1 and not as its binary approximation.
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        raise ValueError(f"a group size and k must be finite numbers, got {value}")
    return number


def _groups_json(groups: Sequence[Group]) -> str:
    """The function's jsonb input; sizes written as exact JSON numbers, not through float."""
    quote = json.dumps
    return "[{}]".format(
        ",".join(
            f'{{"partition_key":{quote(group.partition_key)},"group_key":{quote(group.group_key)},'
            f'"parent_key":{quote(group.parent_key)},"sort_key":{quote(group.sort_key)},'
            f'"depth":{int(group.depth)},"size":{_as_decimal(group.size)}}}'
            for group in groups
        )
    )


def suppression_reasons(
    conn: psycopg.Connection[Any], groups: Sequence[Group], k: Decimal | int | float
) -> dict[tuple[str, str], str | None]:
    """Why each group is suppressed (``RULE_1`` or ``RULE_3``), or None when it may be shown.

    Keyed by ``(partition_key, group_key)``.
    """
    params = {"groups": _groups_json(groups), "k": _as_decimal(k)}
    rows = conn.execute(_CALL, params).fetchall()
    return {(partition_key, group_key): reason for partition_key, group_key, reason in rows}


def suppress_small_groups(
    conn: psycopg.Connection[Any], groups: Sequence[Group], k: Decimal | int | float
) -> dict[tuple[str, str], bool]:
    """Which groups must be suppressed, keyed by ``(partition_key, group_key)``."""
    return {key: reason is not None for key, reason in suppression_reasons(conn, groups, k).items()}
