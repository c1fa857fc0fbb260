"""The one way a DSN or a landing URL is shown: with every password replaced by ``***``.

A PostgreSQL DSN carries its password in the user part (``postgresql://u:pw@host/db``), in the
query string (``?password=pw``) or, in libpq's keyword form, as ``password=pw``; an fsspec URL may
carry a secret or token in its query string. Whatever prints or logs a location calls
``redact_url`` first.
"""

from __future__ import annotations

import re

MASK = "***"

# Query parameters and libpq keywords whose value is a secret.
_SECRET_NAME = r"[A-Za-z_]*(?:password|passwd|pwd|secret|token)[A-Za-z_]*"
_QUERY_SECRET = re.compile(rf"(?i)(^|[&;])({_SECRET_NAME})=[^&;#]*")
_KEYWORD_SECRET = re.compile(rf"(?i)(^|\s)({_SECRET_NAME})\s*=\s*('(?:[^'\\]|\\.)*'|\S*)")


def redact_url(location: str) -> str:
    """``location`` with the password of its user part and every secret-looking parameter masked.

    The user part ends at the last ``@`` before the query, so a password holding an unescaped
    ``/``, ``:`` or ``@`` is masked whole (a parser would split it and show the rest as a path).
    """
    scheme, separator, rest = location.partition("://")
    if not separator:
        return _KEYWORD_SECRET.sub(rf"\1\2={MASK}", location)
    before_query, question, query = rest.partition("?")
    userinfo, at, after = before_query.rpartition("@")
    if at and ":" in userinfo:
        before_query = f"{userinfo.split(':', 1)[0]}:{MASK}@{after}"
    if question:
        query = _QUERY_SECRET.sub(rf"\1\2={MASK}", query)
    return f"{scheme}{separator}{before_query}{question}{query}"
