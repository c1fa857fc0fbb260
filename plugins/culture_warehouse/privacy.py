"""Personal data at the door: dropped columns, keyed pseudonyms and CPR redaction.

Nothing in here logs a value: callers get a redacted string or a pseudonym back, never the input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import os
import re
import secrets
import sys
from pathlib import Path

from culture_warehouse.config import SecretFileError, local_environment, secret_from_file

log = logging.getLogger(__name__)

PERSONAL_COLUMNS = frozenset(
    {"cpr", "cpr_nr", "cpr_nummer", "first_name", "last_name", "name", "full_name", "email",
     "phone", "address", "fornavn", "efternavn", "navn", "telefon", "adresse"}
)  # fmt: skip
"""Columns dropped at read time unless the source's contract declares them (org units' `name`)."""

CPR_PLACEHOLDER = "[CPR]"

# A header name as sources spell their columns: lower case, letters, digits and underscores.
_COLUMN_NAME = re.compile(r"[a-zæøå][a-zæøå0-9_]{0,62}")


def column_label(name: str, position: int) -> str:
    """How a delivered column is named in the ledger, `audit` and logs: its header name when it
    is spelled like a column, else its position only. A header is written by whoever delivers
    the file: one holding a person's name or a CPR number is never recorded."""
    if _COLUMN_NAME.fullmatch(name) and redact_cpr(name) == name:
        return name
    return f"column {position + 1} (name not recorded)"


def column_mention(name: str, position: int) -> str:
    """A delivered column as a reason names it: ``column 'x'``, or its position (column_label)."""
    label = column_label(name, position)
    return label if label != name else f"column '{name}'"


# Hyphen, the dashes Word substitutes for it, and the minus sign.
_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# DDMMYY, then an optional dash or space, then four digits; not part of a longer number. A dash
# may precede the number ("sag-010190-1234") unless a digit precedes the dash: "12-010190-1234"
# and "4000-0101901234" are read as one longer hyphenated number, as before.
_CPR_CANDIDATE = re.compile(
    rf"(?<!\d)(?<!\d[{_DASH}])(\d{{2}})(\d{{2}})(\d{{2}})[{_DASH} \u00a0]?(\d{{4}})(?!\d)"
)


def _is_plausible_birth_date(day: str, month: str, year: str) -> bool:
    """True when DDMMYY is a real calendar date in the 1900s or 2000s.

    The modulus-11 check is deliberately not applied: numbers issued since 2007 need not pass it.
    """
    for century in (1900, 2000):
        try:
            dt.date(century + int(year), int(month), int(day))
        except ValueError:
            continue
        return True
    return False


def redact_cpr(text: str) -> str:
    """Replace every CPR-like number (DDMMYY-SSSS or DDMMYYSSSS with a valid date) by ``[CPR]``."""

    def replace(match: re.Match[str]) -> str:
        day, month, year, _ = match.groups()
        return CPR_PLACEHOLDER if _is_plausible_birth_date(day, month, year) else match.group(0)

    return _CPR_CANDIDATE.sub(replace, text)


def contains_cpr(text: str) -> bool:
    """True when the text still holds a CPR-like number (used by tests and audits)."""
    return redact_cpr(text) != text


MIN_KEY_BYTES = 32
"""A pseudonym key shorter than this is refused everywhere (``openssl rand -hex 32`` gives 64)."""

KEY_VARIABLE = "CULTURE_PSEUDONYM_KEY"
KEY_FILE_VARIABLE = "CULTURE_PSEUDONYM_KEY_FILE"
KEY_CONNECTION = "culture_pseudonym_key"
_FINGERPRINT_LABEL = b"culture-warehouse pseudonym key fingerprint v1"


class PseudonymKeyError(RuntimeError):
    """No usable pseudonym key: the night must not start (nor load anything) with this one."""


class KeyFingerprintMismatch(PseudonymKeyError):
    """The key differs from the one the warehouse's pseudonyms were made with."""


def default_key_path() -> Path:
    """Where the locally generated pseudonym key lives: outside the repository, per user."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "culture-warehouse" / "pseudonym.key"


def checked_key(key: bytes, origin: str) -> bytes:
    """The key when it is at least ``MIN_KEY_BYTES`` long; else PseudonymKeyError naming its origin."""
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"the pseudonym key from {origin} is {len(key)} bytes; at least {MIN_KEY_BYTES} are needed"
            " (generate one with `openssl rand -hex 32`)"
        )
    return key


def key_fingerprint(key: bytes) -> str:
    """HMAC-SHA256 of a fixed label under the key: tells keys apart, reveals nothing of the key."""
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def load_pseudonym_key() -> bytes:
    """The HMAC key: ``CULTURE_PSEUDONYM_KEY``, else the file ``CULTURE_PSEUDONYM_KEY_FILE`` names
    (a Docker secret), else the Airflow connection, else (on a laptop only) a local key file.

    On a laptop (``CULTURE_ENV`` unset or ``local``) the file is created once with 32 random bytes
    so that runs are stable across nights without anybody choosing a key. Anywhere else a missing
    key, or a connection that cannot be read, raises PseudonymKeyError: a freshly generated key
    would silently give every employee a new pseudonym. A key under 32 bytes is always refused.
    Both variables set, or a key file that cannot be read or is empty, is refused everywhere.
    """
    from_env = os.environ.get(KEY_VARIABLE)
    from_file = _key_from_file()
    if from_env and from_file:
        raise PseudonymKeyError(f"both {KEY_VARIABLE} and {KEY_FILE_VARIABLE} are set: set one")
    if from_env:
        return checked_key(from_env.encode(), KEY_VARIABLE)
    if from_file:
        return checked_key(from_file.encode(), f"the file {KEY_FILE_VARIABLE} names")
    local = local_environment()
    try:
        from_airflow = _key_from_airflow_connection()
    except PseudonymKeyError as unreadable:
        if not local:
            raise
        log.warning("%s; using the local key file", unreadable)
        from_airflow = None
    if from_airflow:
        return checked_key(from_airflow.encode(), f"the Airflow connection {KEY_CONNECTION!r}")
    if not local:
        raise PseudonymKeyError(
            f"no pseudonym key: set {KEY_VARIABLE}, {KEY_FILE_VARIABLE} or the Airflow connection"
            f" {KEY_CONNECTION!r} (password). CULTURE_ENV is {os.environ.get('CULTURE_ENV')!r}, so no"
            " key is generated:"
            " a new key would give every employee a new pseudonym"
        )
    return _local_key(default_key_path())


def _key_from_file() -> str | None:
    """The key in the file ``CULTURE_PSEUDONYM_KEY_FILE`` names; None when it is unset."""
    try:
        return secret_from_file(KEY_FILE_VARIABLE)
    except SecretFileError as unreadable:
        raise PseudonymKeyError(f"no pseudonym key: {unreadable}") from None


def _local_key(path: Path) -> bytes:
    """The laptop's key file, created when missing; never readable by others, not for an instant."""
    if not path.exists():
        _create_key_file(path, secrets.token_hex(32).encode())
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PseudonymKeyError(f"the pseudonym key file {path} is readable by others: chmod 600 it")
    return checked_key(path.read_bytes().strip(), str(path))


def _create_key_file(path: Path, key: bytes) -> None:
    """Write the key to a private temporary file (0600 from its creation), then link it into place.

    ``os.link`` never replaces an existing file: when two processes race, both use the key that
    was linked first, and the file never holds a partial key.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(descriptor, "wb", closefd=False) as handle:
            handle.write(key)
            handle.flush()
            os.fsync(descriptor)
        with contextlib.suppress(FileExistsError):  # another process created it first: use theirs
            os.link(temporary, path)
    finally:
        os.close(descriptor)
        temporary.unlink(missing_ok=True)


def _key_from_airflow_connection() -> str | None:
    """The password of the Airflow connection ``culture_pseudonym_key``; None when not running
    under Airflow or when no such connection is defined. PseudonymKeyError when it exists but
    cannot be read (a secrets backend refusing, the API server unreachable)."""
    if "airflow.sdk" not in sys.modules:
        return None  # not running under Airflow: no connections to look up
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:
        return None
    try:
        password = Connection.get(KEY_CONNECTION).password
    except AirflowNotFoundException:
        return None
    except Exception as error:
        raise PseudonymKeyError(
            f"the Airflow connection {KEY_CONNECTION!r} could not be read ({type(error).__name__})"
        ) from None
    return str(password) if password else None


class Pseudonymiser:
    """Keyed HMAC-SHA256 pseudonyms: the same employee number gives the same pseudonym everywhere."""

    def __init__(self, key: bytes) -> None:
        checked_key(key, "the caller")
        # HMAC (RFC 2104) from two SHA-256 states with the padded key already absorbed: each
        # number copies them, a third faster than copying an ``hmac`` object (which wraps the
        # same two states), and the same digest (tests compare it with ``hmac``).
        block = hashlib.sha256().block_size
        padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in padded))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in padded))
        self._cache: dict[str, str] = {}

    def __call__(self, employee_number: str) -> str:
        normalised = normalise_employee_number(employee_number)
        cached = self._cache.get(normalised)
        if cached is None:
            inner = self._inner.copy()
            inner.update(normalised.encode())
            outer = self._outer.copy()
            outer.update(inner.digest())
            cached = self._cache[normalised] = outer.hexdigest()[:32]
            if len(self._cache) > 1_000_000:
                self._cache.clear()
        return cached

    def many(self, numbers: list[str]) -> list[str]:
        """The pseudonyms of numbers already normalised (``normalise_employee_number``), in one
        loop: a national snapshot brings 190,000 numbers never seen before in the process."""
        inner_state, outer_state = self._inner, self._outer
        pseudonyms: list[str] = []
        for number in numbers:
            inner = inner_state.copy()
            inner.update(number.encode())
            outer = outer_state.copy()
            outer.update(inner.digest())
            pseudonyms.append(outer.hexdigest()[:32])
        return pseudonyms


def normalise_employee_number(value: str) -> str:
    """Strip spaces and a spreadsheet's trailing ``.0`` so every source spells a number alike."""
    text = value.strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text
