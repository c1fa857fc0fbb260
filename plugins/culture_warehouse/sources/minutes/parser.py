"""SU, MED and AMU minutes: one delivered document becomes one meeting of name-free records.

Minutes are written by people from a common template (apv-minutes-results.md), so the parser
reads the template's keywords and tolerates spacing, case, punctuation, Markdown decoration and
the line breaks that Word and PDF add. Names never leave this module: attendee lists become
counts, owners become roles, and the names of the people a document lists are blanked in every
text that is kept. CPR-like numbers are redacted before any line is looked at.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from culture_warehouse.privacy import redact_cpr
from culture_warehouse.readers.documents import extract_text
from culture_warehouse.sources.minutes.topics import TopicTaxonomy

CommitteeType = Literal["SU", "MED", "AMU"]
FollowUpStatus = Literal["afsluttet", "i gang"]

NAME_PLACEHOLDER = "[NAVN]"

NO_COMMITTEE = "no committee found (expected 'Udvalg: SU')"
UNKNOWN_COMMITTEE = "committee not recognised (expected 'Udvalg: SU', 'MED' or 'AMU')"
NO_UNIT = "no unit found (expected 'Enhed: 1200')"
NO_DATE = "no meeting date found (expected 'Dato: 12.03.2026')"
BAD_DATE = "meeting date not understood (expected 'Dato: 12.03.2026')"
NO_ITEMS = "no agenda items found (expected 'Punkt 1', '1.' or '## 1. Title')"


class MinutesError(ValueError):
    """The document is not minutes the parser can read; the reason never quotes the document."""


@dataclass(frozen=True, slots=True)
class Action:
    """An action agreed under an item: the owner is kept only as a role, never as a person."""

    action_id: str | None
    text: str
    owner_role: str | None
    due_date: dt.date | None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A status report on an earlier action, matched to it by ``action_id`` across meetings."""

    action_id: str
    status: FollowUpStatus


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One agenda item; its body text is used for ``topics`` and then dropped."""

    number: int
    title: str
    topics: tuple[str, ...]
    decisions: tuple[str, ...]
    actions: tuple[Action, ...]
    followups: tuple[FollowUp, ...]


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting; a later document for the same committee, unit and date replaces it."""

    committee_type: CommitteeType
    org_unit_code: str | None
    org_unit_name: str | None  # only when the header names the unit without its code
    meeting_date: dt.date
    n_present: int
    n_absent: int
    items: tuple[AgendaItem, ...]


def parse_minutes(name: str, data: bytes, topics: TopicTaxonomy) -> Meeting:
    """Parse one meeting; raises MinutesError or DocumentError with a reason a person can act on."""
    text = redact_cpr(_normalise_characters(extract_text(name, data)))
    reader = _Reader(has_explicit_items=_has_explicit_items(text))
    for raw in text.split("\n"):
        reader.feed(_clean_line(raw))
    return reader.meeting(topics)


# --- characters and lines ------------------------------------------------------------------

# Word turns hyphens into dashes and spaces into no-break spaces; folding them first also lets
# redact_cpr see "121285–1234" and "121285\u00a01234" as the CPR numbers they are.
_CHARACTER_FOLDS = str.maketrans(
    {
        "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u200b": None, "\u00ad": None, "\ufeff": None,
    }
)  # fmt: skip


def _normalise_characters(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_CHARACTER_FOLDS)


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    is_heading: bool = False
    is_bullet: bool = False


_HEADING_MARK = re.compile(r"^#{1,6}\s*")
_BULLET_MARK = re.compile(r"^(?:[-*•·▪◦>]\s+)+")
_TABLE_RULE = re.compile(r"^[\s|:-]+$")


def _clean_line(raw: str) -> _Line:
    """Strip Markdown decoration; a Markdown table row becomes tab-separated cells like Word's."""
    text = raw.strip()
    if text.startswith("|"):
        if _TABLE_RULE.match(text):
            return _Line("")
        text = "\t".join(cell.strip() for cell in text.strip("|").split("|"))
    is_heading = bool(_HEADING_MARK.match(text))
    text = _HEADING_MARK.sub("", text)
    is_bullet = bool(_BULLET_MARK.match(text))
    text = _BULLET_MARK.sub("", text).replace("*", "").replace("__", "")
    return _Line(re.sub(r" {2,}", " ", text).strip(), is_heading, is_bullet)


def _squash(text: str) -> str:
    return " ".join(text.split())


# --- agenda item markers -------------------------------------------------------------------

_EXPLICIT_ITEM = re.compile(
    r"^(?:ad\.?\s+)?(?:dagsordens)?(?:punkt|pkt\.?)\s*(?P<number>\d{1,3})(?!\d)"
    r"\s*[:.)-]?\s*(?P<title>.*)$",
    re.IGNORECASE,
)
_AD_ITEM = re.compile(r"^ad\.?\s+(?P<number>\d{1,3})(?!\d)\s*[:.)-]?\s*(?P<title>.*)$", re.I)
_HEADING_ITEM = re.compile(r"^(?P<number>\d{1,3})(?!\d)\s*[:.)-]?\s*(?P<title>.*)$")
_PLAIN_ITEM = re.compile(r"^(?P<number>\d{1,2})\s*[.)]\s+(?P<title>[^\W\d_].*)$")


def _explicit_marker(line: _Line) -> re.Match[str] | None:
    """``Punkt N``, ``Ad N`` or a numbered Markdown heading: item starts nobody writes by chance."""
    match = _EXPLICIT_ITEM.match(line.text) or _AD_ITEM.match(line.text)
    if match is None and line.is_heading:
        match = _HEADING_ITEM.match(line.text)
    return match


def _has_explicit_items(text: str) -> bool:
    """Plain ``N.`` lines only start items in documents without explicit markers.

    Otherwise a numbered list inside an item, or a dagsorden overview, would split the items.
    """
    return any(_explicit_marker(_clean_line(raw)) for raw in text.split("\n"))


# --- header --------------------------------------------------------------------------------

_HEADER = re.compile(
    r"^(?P<key>udvalg|mødeforum|forum|organisationsenhed|enhed|dato og tid|mødedato|dato"
    r"|til stede|tilstede|deltagere|fremmødte|afbud|fraværende|referent|ordstyrer|mødeleder"
    r"|gæster|gæst)\s*(?::|\t)\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_HEADER_FIELDS = {
    "udvalg": "committee", "mødeforum": "committee", "forum": "committee",
    "organisationsenhed": "unit", "enhed": "unit",
    "dato og tid": "date", "mødedato": "date", "dato": "date",
    "til stede": "present", "tilstede": "present", "deltagere": "present", "fremmødte": "present",
    "afbud": "absent", "fraværende": "absent",
    "referent": "names", "ordstyrer": "names", "mødeleder": "names", "gæster": "names",
    "gæst": "names",
}  # fmt: skip
_PEOPLE_FIELDS = frozenset({"present", "absent", "names"})

_COMMITTEE_WORDS: tuple[tuple[CommitteeType, re.Pattern[str]], ...] = (
    ("SU", re.compile(r"(?:hoved|lokal)?(?:su|hsu|lsu|samarbejdsudvalg(?:et)?)(?:mødet?)?")),
    (
        "MED",
        re.compile(r"(?:hoved|lokal|område|fælles)?(?:med|hmu|lmu|medudvalg(?:et)?)(?:mødet?)?"),
    ),
    ("AMU", re.compile(r"(?:hoved|lokal)?(?:amu|arbejdsmiljøudvalg(?:et)?)(?:mødet?)?")),
)


def _committee(value: str) -> CommitteeType | None:
    """The first word naming a committee decides: "MED-udvalg", "Lokal-MED", "SU-møde"."""
    words = re.split(r"[^a-zæøå]+", re.sub(r"\(.*?\)", " ", value).casefold().replace("-", ""))
    for word in words:
        for committee, pattern in _COMMITTEE_WORDS:
            if pattern.fullmatch(word):
                return committee
    return None


_UNIT_IN_PARENTHESES = re.compile(r"(?P<name>.*?)\s*\((?P<code>[^()\s]*\d[^()\s]*)\)")
_UNIT_CODE_FIRST = re.compile(r"(?P<code>[^\s,:]*\d[^\s,:]*)(?:\s*[,:-]?\s+(?P<name>.+))?")


def _unit(value: str) -> tuple[str | None, str | None]:
    """(code, None) when the header gives a code; (None, name) when it gives only the name."""
    text = _squash(value).strip(" .,;:")
    match = _UNIT_IN_PARENTHESES.fullmatch(text) or _UNIT_CODE_FIRST.fullmatch(text)
    if match:
        return match["code"], None
    return (None, text) if re.search(r"[^\W\d_]", text) else (None, None)


# --- dates ---------------------------------------------------------------------------------

_MONTHS = {
    "januar": 1, "jan": 1, "februar": 2, "feb": 2, "marts": 3, "mar": 3, "april": 4, "apr": 4,
    "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_MONTH = "(?P<month_name>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")(?![^\W\d_])"
_DATES_WITH_YEAR = (
    re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
    re.compile(
        r"(?<!\d)(?P<day>\d{1,2})\s*[./-]\s*(?P<month>\d{1,2})(?:\s*[./-]\s*|\s+)(?P<year>\d{4})(?!\d)"
    ),
    re.compile(r"(?<!\d)(?P<day>\d{1,2})[./-](?P<month>\d{1,2})[./-](?P<year>\d{2})(?![\d./-])"),
    re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\.?\s*{_MONTH}\.?\s*(?P<year>\d{{4}})(?!\d)", re.I),
)
_DATES_WITHOUT_YEAR = (
    re.compile(r"(?<!\d)(?P<day>\d{1,2})[./](?P<month>\d{1,2})\.?(?![\d./-])"),
    re.compile(rf"(?<!\d)(?P<day>\d{{1,2}})\.?\s*{_MONTH}\.?", re.I),
)
_STARTS_WITH_DATE = re.compile(rf"^\d{{1,2}}\.?\s*{_MONTH}", re.I)


def _find_date(text: str, reference: dt.date | None = None) -> dt.date | None:
    """The first date written in any accepted form; None when there is none or it is impossible.

    A date without a year ("Frist: 30.4") is the first such day on or after ``reference``.
    """
    try:
        if match := _first_match(_DATES_WITH_YEAR, text):
            year = int(match["year"])
            return dt.date(year + 2000 if year < 100 else year, _month(match), int(match["day"]))
        if reference and (match := _first_match(_DATES_WITHOUT_YEAR, text)):
            day = dt.date(reference.year, _month(match), int(match["day"]))
            return day if day >= reference else day.replace(year=reference.year + 1)
    except ValueError:
        return None
    return None


def _month(match: re.Match[str]) -> int:
    name = match.groupdict().get("month_name")
    return _MONTHS[name.casefold()] if name else int(match["month"])


def _first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    found = [match for pattern in patterns if (match := pattern.search(text))]
    return min(found, key=lambda match: match.start(), default=None)


# --- people, roles and names ---------------------------------------------------------------

_PEOPLE_SEPARATOR = re.compile(r"\s*[,;\n]\s*|\s+(?:og|samt|&)\s+|(?<=\))\s+(?=[^\s,;])")
_PARENTHESES = re.compile(r"\([^()]*\)")
_NOBODY = re.compile(r"(?:ingen|intet|ingen afbud|n/?a|-+)\.?", re.IGNORECASE)
_HEADCOUNT = re.compile(r"(?P<count>\d{1,3})(?:\s+(?:personer|deltagere|medlemmer))?")
_BARE_NAME = re.compile(r"(?:[A-ZÆØÅ][\w'’.-]*\s+){1,4}[A-ZÆØÅ][\w'’.-]*")
_NAME_TOKEN = re.compile(r"[^\W\d_][\w'’-]*")
_NOT_NAMES = frozenset({"ingen", "intet", "alle", "og", "samt", "fra", "gæst", "gæster"})


def _people(value: str) -> list[str]:
    """Split a list of people at commas, "og", or after "(role)"; separators in parentheses stay.

    The split runs over a copy with parenthesised text masked so that "(leder, formand)" is one
    person's roles, not two people.
    """
    masked = _PARENTHESES.sub(lambda match: "(" + "_" * (len(match[0]) - 2) + ")", value)
    entries, start = [], 0
    for separator in _PEOPLE_SEPARATOR.finditer(masked):
        entries.append(value[start : separator.start()])
        start = separator.end()
    entries.append(value[start:])
    return [entry.strip(" .") for entry in entries if entry.strip(" .")]


def _headcount(value: str) -> int:
    text = _squash(value).strip(" .,;")
    written = _HEADCOUNT.fullmatch(text)
    if written:
        return int(written["count"])
    return sum(1 for person in _people(text) if not _NOBODY.fullmatch(person))


_ROLES = {
    "leder": "leder", "chef": "chef", "direktør": "direktør",
    "tr": "tillidsrepræsentant", "tillidsrepræsentant": "tillidsrepræsentant",
    "amr": "arbejdsmiljørepræsentant", "arbejdsmiljørepræsentant": "arbejdsmiljørepræsentant",
    "hr": "hr", "hr-afdeling": "hr", "personaleafdeling": "hr",
    "sekretariat": "sekretariatet", "medarbejderrepræsentant": "medarbejderrepræsentant",
    "formand": "formand", "næstformand": "næstformand", "udvalg": "udvalget",
    "ledelse": "ledelsen", "direktion": "direktionen", "ledergruppe": "ledergruppen",
    "arbejdsgruppe": "arbejdsgruppen",
}  # fmt: skip
# Compounds name a leader by what they lead: afdelingsleder, kontorchef, vicedirektør, HR-chef.
_COMPOUND_ROLE = re.compile(r"[a-zæøå-]+(?:leder|chef|direktør)")
# Definite and plural endings: lederen, udvalget, ledelsen, repræsentanterne, ledere.
_ROLE_ENDINGS = ("", "en", "n", "et", "erne", "ne", "e")


def _role_word(word: str) -> str | None:
    lowered = word.casefold().strip(".,;:")
    for ending in _ROLE_ENDINGS:
        if ending and not lowered.endswith(ending):
            continue
        stem = lowered[: len(lowered) - len(ending)]
        if stem in _ROLES:
            return _ROLES[stem]
        if _COMPOUND_ROLE.fullmatch(stem):
            return stem
    return None


def _owner_role(owner: str) -> str | None:
    """The roles named as owner ("leder", "TR og AMR", "Anne Hansen (leder)"); a name is None."""
    roles: list[str] = []
    for person in _people(owner):
        for word in re.findall(r"[\w-]+", person):
            role = _role_word(word)
            if role:
                if role not in roles:
                    roles.append(role)
                break
    return ", ".join(roles) or None


def _names_in(person: str) -> set[str]:
    """The full name and each capitalised name part of one listed person; roles are not names."""
    bare = _squash(_PARENTHESES.sub(" ", person))
    tokens: set[str] = set()
    for token in _NAME_TOKEN.findall(bare):
        parts = [token, *token.split("-")]
        tokens.update(
            part
            for part in parts
            if len(part) > 1
            and part[0].isupper()
            and not (part.isupper() and len(part) <= 4)
            and part.casefold() not in _NOT_NAMES
            and _role_word(part) is None
        )
    if len(tokens) > 1:
        tokens.add(bare)
    return tokens


def _name_redactor(names: set[str]) -> re.Pattern[str] | None:
    """One pattern for every listed name, longest first so a full name becomes one placeholder."""
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:s|'s|’s)?(?!\w)")


# --- lines inside an item ------------------------------------------------------------------

_DECISION = re.compile(r"^(?:beslutning(?:er)?|besluttet|konklusion)\s*[:.-]\s*(?P<text>.*)$", re.IGNORECASE)
_ACTION = re.compile(
    r"^handling(?:er)?\s*(?:[\[(](?P<bracketed>[^\])]*)[\])]|(?P<bare>H-\d[\w-]*))?"
    r"\s*[:.-]\s*(?P<text>.*)$",
    re.IGNORECASE,
)
_ACTION_FIELD = re.compile(
    r"(?<![^\W\d_])(?P<key>ansvarlige?|ansv\.|ansvar|frist|deadline)(?:\s*:|(?=\s+\d))",
    re.IGNORECASE,
)
_FOLLOWUP = re.compile(r"^(?:opfølgning|status)(?![^\W\d_])", re.IGNORECASE)
_ACTION_ID = re.compile(
    r"[\[(]\s*(?P<bracketed>[^\])\s]*\d[^\])\s]*)\s*[\])]|(?<![\w-])(?P<bare>H-\d[\w-]*)",
    re.IGNORECASE,
)
_STATUS = re.compile(
    r"(?<![^\W\d_])(?:(?P<open>ikke\s+(?:afsluttet|lukket|færdig\w*|udført|gennemført|løst"
    r"|påbegyndt|startet)|i\s*-?\s*gang|påbegyndt|i\s+proces|pågår|pågående|under\s+udførelse"
    r"|fortsætter|åben|åbent|udsat|forsinket|ongoing)"
    r"|(?P<closed>afsluttet|lukket|færdig\w*|udført|gennemført|løst|done|closed))(?![^\W\d_])",
    re.IGNORECASE,
)


def _action_id(text: str | None) -> str | None:
    """Action ids are compared across meetings, so case and stray hyphens must not matter."""
    cleaned = (text or "").strip().strip("-").upper()
    return cleaned if any(char.isdigit() for char in cleaned) else None


def _followups(text: str, item_number: int) -> list[FollowUp]:
    """Every ``<id> <status>`` pair on an Opfølgning line; the status is read after its id."""
    ids = list(_ACTION_ID.finditer(text))
    followups = []
    for found, following in zip(ids, [*ids[1:], None], strict=True):
        status_text = text[found.end() : following.start() if following else len(text)]
        status = _STATUS.search(status_text)
        if status is None:
            raise MinutesError(
                f"agenda item {item_number}: a follow-up has no recognised status "
                "(expected 'Opfølgning H-2026-03: afsluttet' or 'i gang')"
            )
        action_id = _action_id(found["bracketed"] or found["bare"])
        if action_id:
            followups.append(FollowUp(action_id, "i gang" if status["open"] else "afsluttet"))
    return followups


def _split_action(raw: str) -> tuple[str, str | None, str | None]:
    """(text, owner, deadline) from ``<text>. Ansvarlig: <owner>. Frist: <date>``."""
    fields = list(_ACTION_FIELD.finditer(raw))
    if not fields:
        return raw.strip(), None, None
    owner = deadline = None
    for found, following in zip(fields, [*fields[1:], None], strict=True):
        value = raw[found.end() : following.start() if following else len(raw)].strip(" .,;:()")
        if found["key"].casefold().startswith("ansv"):
            owner = owner or value or None
        else:
            deadline = deadline or value or None
    return raw[: fields[0].start()].rstrip(" \t,;:(-"), owner, deadline


# --- the reader ----------------------------------------------------------------------------


@dataclass
class _DraftAction:
    action_id: str | None
    text: str


@dataclass
class _DraftItem:
    number: int
    title: str
    body: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    actions: list[_DraftAction] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)

    def is_bare(self) -> bool:
        return not (self.body or self.decisions or self.actions or self.followups)


@dataclass
class _Reader:
    """Reads cleaned lines one by one; ``meeting()`` turns what it collected into records."""

    has_explicit_items: bool
    header: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)
    listed_people: list[str] = field(default_factory=list)
    items: list[_DraftItem] = field(default_factory=list)
    # A header field written as a bare label, whose value is on the next line.
    _header_field: str | None = None
    # The list of people that following lines may continue, and whether it began empty
    # ("Til stede:" followed by one person per line) or is a wrapped line.
    _people_field: str | None = None
    _people_block: bool = False
    # The decision or action that following lines may continue, and whether it began empty.
    _open: Literal["decision", "action"] | None = None
    _open_block: bool = False

    def feed(self, line: _Line) -> None:
        if not line.text:
            self._people_field = self._header_field = self._open = None
            return
        header = _HEADER.match(line.text)
        if header:
            key = _HEADER_FIELDS[header["key"].casefold()]
            if key in _PEOPLE_FIELDS or not self.items:
                self._header(key, header["value"])
                return
        if self._item_marker(line):
            self._people_field = self._header_field = self._open = None
            return
        if self._header_field:
            self.header[self._header_field] = line.text
            self._header_field = None
            return
        if self._people_field and self._continues_people(line):
            return
        self._people_field = None
        if self.items:
            self._item_line(line, self.items[-1])

    def _header(self, key: str, value: str) -> None:
        """Keep the first value of each field; people are counted only in the header proper.

        A people field after the first item (a "Referent:" at the bottom) still names people
        whose names must be blanked, but it is not the meeting's attendance.
        """
        self._people_field = self._header_field = self._open = None
        if key in _PEOPLE_FIELDS:
            self.listed_people.append(value)
            if key != "names" and key not in self.people and not self.items:
                self.people[key] = value
                self._people_field, self._people_block = key, not value.strip()
        elif key not in self.header:
            self.header[key] = value
            # Word tables exported to PDF sometimes put the value on the line below its label.
            self._header_field = None if value.strip() else key

    def _continues_people(self, line: _Line) -> bool:
        """Take a following line into the open list of people when it looks like more people."""
        assert self._people_field is not None
        text, current = line.text, self.people[self._people_field]
        if self._people_block or line.is_bullet:
            looks_like_people = (
                line.is_bullet or bool(re.search(r"[,;]|\)$", text)) or bool(_BARE_NAME.fullmatch(text))
            )
            joiner = ", "
        else:
            looks_like_people = bool(
                re.search(r"(?:[,;]|\s(?:og|samt|&))\s*$", current) or (text.endswith(")") and "(" in text)
            )
            joiner = " "
        if looks_like_people:
            self.people[self._people_field] = f"{current}{joiner}{text}" if current else text
            self.listed_people[-1] = self.people[self._people_field]
        return looks_like_people

    def _item_marker(self, line: _Line) -> bool:
        """Start a new item when the line is a marker whose number follows the previous item's.

        A marker with a number not above the previous one is text ("punkt 2 blev udsat"),
        unless every item so far is bare: then those were a dagsorden overview, read again.
        """
        match = _explicit_marker(line)
        if match is None and not self.has_explicit_items:
            match = _PLAIN_ITEM.match(line.text)
            if match and _STARTS_WITH_DATE.match(line.text):
                match = None
        if match is None:
            return False
        number = int(match["number"])
        if self.items and number <= self.items[-1].number:
            if not all(item.is_bare() for item in self.items):
                return False
            self.items.clear()
        self.items.append(_DraftItem(number, _squash(match["title"]).rstrip(" :")))
        return True

    def _item_line(self, line: _Line, item: _DraftItem) -> None:
        text = line.text
        if _FOLLOWUP.match(text) and _ACTION_ID.search(text):
            item.followups.extend(_followups(text, item.number))
            self._open = None
        elif decision := _DECISION.match(text):
            item.decisions.append(decision["text"])
            self._open, self._open_block = "decision", not decision["text"].strip()
        elif action := _ACTION.match(text):
            action_id = _action_id(action["bracketed"] or action["bare"])
            item.actions.append(_DraftAction(action_id, action["text"]))
            self._open, self._open_block = "action", not action["text"].strip()
        elif item.actions and _ACTION_FIELD.match(text):
            item.actions[-1].text += " " + text
            self._open, self._open_block = "action", False
        elif not self._continue_open(line, item):
            if not item.title and item.is_bare():
                item.title = _squash(text).rstrip(" :")
            else:
                item.body.append(text)
            self._open = None

    def _continue_open(self, line: _Line, item: _DraftItem) -> bool:
        """Add the line to the open decision or action when it plainly belongs to it.

        A bullet under "Beslutning:" (or under a decision ending in a colon) is one more
        decision; a wrapped sentence goes on after a comma or colon, or in lower case. Anything
        else is body text, which is never stored.
        """
        if self._open is None:
            return False
        current = (item.decisions[-1] if self._open == "decision" else item.actions[-1].text).rstrip()
        if line.is_bullet and current and (self._open_block or current.endswith(":")):
            if self._open == "decision":
                item.decisions.append(line.text)
            else:
                item.actions.append(_DraftAction(None, line.text))
            self._open_block = True
            return True
        wrapped = current.endswith((",", ";", ":")) or (
            not current.endswith((".", "!", "?")) and line.text[0].islower()
        )
        if current and not wrapped:
            return False
        joined = f"{current} {line.text}".strip()
        if self._open == "decision":
            item.decisions[-1] = joined
        else:
            item.actions[-1].text = joined
        return True

    def meeting(self, taxonomy: TopicTaxonomy) -> Meeting:
        committee_text = self.header.get("committee", "").strip()
        if not committee_text:
            raise MinutesError(NO_COMMITTEE)
        committee = _committee(committee_text)
        if committee is None:
            raise MinutesError(UNKNOWN_COMMITTEE)
        unit_code, unit_name = _unit(self.header.get("unit", ""))
        if unit_code is None and unit_name is None:
            raise MinutesError(NO_UNIT)
        if not self.header.get("date", "").strip():
            raise MinutesError(NO_DATE)
        meeting_date = _find_date(self.header["date"])
        if meeting_date is None:
            raise MinutesError(BAD_DATE)
        if not self.items:
            raise MinutesError(NO_ITEMS)

        split_actions = [[_split_action(a.text) for a in item.actions] for item in self.items]
        names = self._names(owner for actions in split_actions for _, owner, _ in actions)
        redactor = _name_redactor(names)

        def kept(text: str) -> str:
            squashed = _squash(text)
            return redactor.sub(NAME_PLACEHOLDER, squashed) if redactor else squashed

        items = []
        for item, actions in zip(self.items, split_actions, strict=True):
            topic_text = "\n".join([item.title, *item.body, *item.decisions, *(a.text for a in item.actions)])
            items.append(
                AgendaItem(
                    number=item.number,
                    title=kept(item.title),
                    topics=taxonomy.topics_for(topic_text),
                    decisions=tuple(kept(d) for d in item.decisions if d.strip()),
                    actions=tuple(
                        Action(
                            action_id=draft.action_id,
                            text=kept(text),
                            owner_role=_owner_role(owner) if owner else None,
                            due_date=_find_date(deadline, meeting_date) if deadline else None,
                        )
                        for draft, (text, owner, deadline) in zip(item.actions, actions, strict=True)
                        if draft.action_id or text.strip()
                    ),
                    followups=tuple(item.followups),
                )
            )
        return Meeting(
            committee_type=committee,
            org_unit_code=unit_code,
            org_unit_name=kept(unit_name) if unit_name else None,
            meeting_date=meeting_date,
            n_present=_headcount(self.people.get("present", "")),
            n_absent=_headcount(self.people.get("absent", "")),
            items=tuple(items),
        )

    def _names(self, owners: Iterator[str | None]) -> set[str]:
        """Names to blank: everyone listed in the header, and owners that are not a role."""
        names: set[str] = set()
        for value in self.listed_people:
            for person in _people(value):
                names |= _names_in(person)
        for owner in owners:
            if owner and _owner_role(owner) is None:
                for person in _people(owner):
                    names |= _names_in(person)
        return names
