"""Describe an exception by its type and position only, never by its message.

Library messages quote what they choke on: openpyxl and the XML parsers quote a cell or a tag,
``KeyError`` is the key itself, a ``UnicodeDecodeError`` carries the bytes, and PostgreSQL's COPY
errors quote the value and the row (``CONTEXT: COPY hr_employees, line 3, column fte: "…"``). Any
of them can hold a name or a CPR number, so the door keeps the exception's class, its SQLSTATE,
and the line, column or byte offset where it is known, and drops the rest.
"""

from __future__ import annotations

import errno
import re

import psycopg

_COPY_CONTEXT = re.compile(
    r"\bCOPY [a-z_][a-z0-9_.]*, line ([0-9]+)(?:, column ([a-z_][a-z0-9_]*))?", re.ASCII
)

# Trouble of the machine, not of the file: the file is tried again on a later run.
_MACHINE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.ENOMEM, errno.EMFILE, errno.ENFILE})


def is_infrastructure(error: BaseException) -> bool:
    """True when the error says nothing about the file: a lost or refused database connection,
    a cancelled or failed statement that is not about a value, a full disk, no memory."""
    if isinstance(error, psycopg.Error):
        return not isinstance(error, psycopg.DataError | psycopg.IntegrityError)
    return isinstance(error, OSError) and error.errno in _MACHINE_ERRNOS


def describe(error: BaseException) -> str:
    """``TypeName at line 3, column 7`` from the error's attributes, without its message."""
    where = _position(error)
    name = type(error).__name__
    sqlstate = error.diag.sqlstate if isinstance(error, psycopg.Error) else None
    if isinstance(sqlstate, str) and sqlstate.isascii() and sqlstate.isalnum():
        name = f"{name} (SQLSTATE {sqlstate})"
    return f"{name} {where}".rstrip()


def _position(error: BaseException) -> str:
    if isinstance(error, psycopg.Error):
        context = getattr(error.diag, "context", None) or ""
        found = _COPY_CONTEXT.search(context)
        if found is None:
            return ""
        copy_column = f", column {found.group(2)}" if found.group(2) else ""
        return f"at row {found.group(1)} of the load{copy_column}"
    if isinstance(error, UnicodeError):
        start = getattr(error, "start", None)
        return f"at byte {start}" if isinstance(start, int) else ""
    parts: list[str] = []
    column: int | None
    line = _number(getattr(error, "lineno", None))
    position = getattr(error, "position", None)
    if line is None and isinstance(position, tuple) and len(position) == 2:
        line, column = _number(position[0]), _number(position[1])
    else:
        column = _number(getattr(error, "offset", None))
    if line is not None:
        parts.append(f"line {line}")
    if column is not None:
        parts.append(f"column {column}")
    return f"at {', '.join(parts)}" if parts else ""


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
