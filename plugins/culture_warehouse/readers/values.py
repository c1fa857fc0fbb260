"""Normalise one delivered value to the canonical text PostgreSQL's COPY reads.

Each parser returns the canonical text or raises ``ValueError`` with a reason that never repeats
the value itself: reasons end up in ``audit.quarantine``, which must hold no personal data.

Numbers and dates accept ASCII digits only. Python's ``int()``, ``float()`` and the regular
expression ``\\d`` also accept Arabic-Indic, Devanagari and other Unicode digits (and ``float()``
accepts ``1_000``, ``inf`` and ``nan``); such a value is a row error here, so that nothing the
database would refuse, and quote in its error, ever reaches COPY. Whole numbers must fit
PostgreSQL's ``integer``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

from culture_warehouse.contract import Kind

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_DANISH_DATE = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})", re.ASCII)
_TIME_PART = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?", re.ASCII)
_INTEGRAL_FLOAT = re.compile(r"-?\d+\.0+", re.ASCII)
_DANISH_TIMESTAMP = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})(.*)", re.ASCII)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
INTEGER_RANGE = (-(2**31), 2**31 - 1)

TRUE_WORDS = frozenset({"ja", "j", "yes", "y", "true", "t", "1", "sand"})
FALSE_WORDS = frozenset({"nej", "n", "no", "false", "f", "0", "falsk"})

DATE_REASON = "not a date (expected YYYY-MM-DD, DD-MM-YYYY or DD.MM.YYYY)"


def parse_date(text: str) -> str:
    """``YYYY-MM-DD``, ``DD-MM-YYYY`` or ``DD.MM.YYYY`` (a time part, as spreadsheets add, is ignored)."""
    value = _TIME_PART.sub("", text.strip(), count=1).strip()
    iso = _ISO_DATE.fullmatch(value)
    danish = None if iso else _DANISH_DATE.fullmatch(value)
    try:
        if iso:
            year, month, day = (int(part) for part in iso.groups())
        elif danish:
            day, month, year = (int(part) for part in danish.groups())
        else:
            raise ValueError(DATE_REASON)
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(DATE_REASON) from None


def parse_timestamp(text: str) -> str:
    """A timestamp with or without zone; a naive one is Copenhagen time. Returns ISO with offset."""
    value = text.strip().replace("Z", "+00:00")
    if not value.isascii():
        raise ValueError("not a timestamp (expected YYYY-MM-DD HH:MM[:SS][+zone])")
    danish = _DANISH_TIMESTAMP.fullmatch(value)
    if danish:
        day, month, year, rest = danish.groups()
        value = f"{year}-{int(month):02d}-{int(day):02d}{rest}"
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not a timestamp (expected YYYY-MM-DD HH:MM[:SS][+zone])") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=COPENHAGEN)
    return stamp.isoformat()


def parse_decimal(text: str) -> str:
    """Decimal comma or point; a thousands separator is dropped when both occur (``1.234,5``)."""
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in value and "." in value:
        value = (
            value.replace(".", "").replace(",", ".")
            if value.rfind(",") > value.rfind(".")
            else value.replace(",", "")
        )
    else:
        value = value.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(value):
        if _NON_ASCII.search(value) and any(character.isdigit() for character in value):
            raise ValueError("not a number (digits other than 0-9)")
        raise ValueError("not a number")
    return value


def parse_integer(text: str) -> str:
    """A whole number; ``4,0`` and ``4.0`` are 4, ``4,5`` is not a whole number."""
    number = Decimal(parse_decimal(text))
    if number != number.to_integral_value():
        raise ValueError("not a whole number")
    if not INTEGER_RANGE[0] <= number <= INTEGER_RANGE[1]:
        raise ValueError("whole number out of range")
    return str(int(number))


def parse_boolean(text: str) -> str:
    """ja/nej, yes/no, true/false, 1/0, J/N, Y/N in any case."""
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return "true"
    if word in FALSE_WORDS:
        return "false"
    raise ValueError("not a yes/no value (expected ja/nej, yes/no, true/false, 1/0, J/N or Y/N)")


def parse_code(text: str) -> str:
    """An identifier; a spreadsheet's ``2110.0`` is the code ``2110``."""
    value = parse_text(text)
    if _INTEGRAL_FLOAT.fullmatch(value):
        value = value.split(".", 1)[0]
    return value


def parse_text(text: str) -> str:
    """Text as delivered, trimmed; a NUL character (which PostgreSQL cannot store) is a row error."""
    if "\x00" in text:
        raise ValueError("contains a NUL character")
    return text.strip()


PARSERS: dict[Kind, Callable[[str], str]] = {
    Kind.TEXT: parse_text,
    Kind.CODE: parse_code,
    Kind.EMPLOYEE: parse_code,
    Kind.DATE: parse_date,
    Kind.TIMESTAMP: parse_timestamp,
    Kind.DECIMAL: parse_decimal,
    Kind.INTEGER: parse_integer,
    Kind.BOOLEAN: parse_boolean,
    Kind.FREE_TEXT: parse_text,
}
