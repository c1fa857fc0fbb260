"""The ``minutes/`` folder: one SU, MED or AMU document per meeting, stored as name-free records.

Each document is parsed by ``parser.py`` and written to five raw tables, all keyed by the
file's ``_load_id`` (one load is one meeting; documents have no lines, so ``_line`` is 0):

- ``raw.minutes_meetings``: committee, unit (its code, or only its name when the header gave no
  code), date and the numbers present and absent;
- ``raw.minutes_items``: agenda item number, title and topics;
- ``raw.minutes_decisions`` and ``raw.minutes_actions`` (action id, text, owner role, due date);
- ``raw.minutes_followups``: status reports on earlier actions, by action id.

Only what the parser returns is stored: names of people never reach it (attendees are counted,
owners become roles, listed names are blanked in every kept text, CPR numbers are redacted), and
the document's own text is read in memory and dropped. A document the parser cannot read is
rejected with the parser's reason, which never quotes the document.

A meeting's date is known only after parsing, so files carry no extract date (every file is read
on the night it arrives) and staging hides meetings dated after the night's as-of date. The
ledger's logical key ``minutes/<committee>/<unit>/<date>`` is also known only after parsing: a
later document for the same committee, unit and date supersedes the earlier one.

Whether the unit exists is not judged here but in dbt (``int_committee_meetings``), against the
tree as it stood on the meeting date: landing folders load in parallel, so the org tree of the
same night may not be loaded yet, and a rejected file would not be read again.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from culture_warehouse.ingest import Night, Recognised
from culture_warehouse.landing import LandingFile
from culture_warehouse.load import LoadOutcome
from culture_warehouse.readers.documents import SUPPORTED_SUFFIXES, DocumentError
from culture_warehouse.readers.tabular import FileRejected
from culture_warehouse.sources.minutes.contract import ENTITY, FOLDER, SUITE, TABLES
from culture_warehouse.sources.minutes.parser import Meeting, MinutesError, parse_minutes
from culture_warehouse.sources.minutes.topics import TopicTaxonomy


def logical_key(meeting: Meeting) -> str:
    """The meeting a document reports: a later document with the same key replaces it."""
    unit = meeting.org_unit_code or (meeting.org_unit_name or "").casefold()
    return f"{FOLDER}/{meeting.committee_type}/{unit}/{meeting.meeting_date.isoformat()}"


class MinutesIngestor:
    """Reads every ``.md``, ``.txt``, ``.docx`` and ``.pdf`` file of ``minutes/``."""

    folder = FOLDER

    def __init__(self) -> None:
        self._taxonomy: TopicTaxonomy | None = None

    @property
    def taxonomy(self) -> TopicTaxonomy:
        # Read once per night (a new ingestor is made for each), so an edited topics.yml applies
        # from the next night on, and nights without minutes never read it.
        if self._taxonomy is None:
            self._taxonomy = TopicTaxonomy.load()
        return self._taxonomy

    def recognise(self, file: LandingFile) -> Recognised | None:
        if Path(file.name).suffix.lower() not in SUPPORTED_SUFFIXES:
            return None
        return Recognised(ENTITY, None, None)

    def ensure_tables(self, conn: psycopg.Connection) -> None:
        for table, columns in TABLES.items():
            conn.execute(
                f"create table if not exists raw.{table}"
                f" (_load_id bigint not null, _line integer not null, {columns})"
            )
            conn.execute(f"create index if not exists {table}_load on raw.{table} (_load_id)")

    def load(
        self, conn: psycopg.Connection, night: Night, file: LandingFile, path: Path, load_id: int
    ) -> LoadOutcome:
        try:
            meeting = parse_minutes(file.name, path.read_bytes(), self.taxonomy)
        except (MinutesError, DocumentError) as error:
            # The chain is cut so that nothing but the parser's reason can reach a log line.
            raise FileRejected(str(error)) from None
        with conn.transaction():
            _write(conn, load_id, meeting)
        return LoadOutcome(rows_read=1, rows_loaded=1, logical_key=logical_key(meeting))

    def validation_queries(self, entity: str, load_id: int) -> list[tuple[str, str]]:
        return [(SUITE, f"select * from raw.{SUITE} where _load_id = {int(load_id)}")]

    def group_tables(self, entity: str) -> dict[str, str]:
        return {SUITE: f"raw.{SUITE}"}

    def discard(self, conn: psycopg.Connection, entity: str | None, load_id: int) -> None:
        for table in TABLES:
            conn.execute(f"delete from raw.{table} where _load_id = %s", (load_id,))


def _write(conn: psycopg.Connection, load_id: int, meeting: Meeting) -> None:
    conn.execute(
        "insert into raw.minutes_meetings (_load_id, _line, committee_type, org_unit_code, org_unit_name,"
        " meeting_date, n_present, n_absent) values (%s, 0, %s, %s, %s, %s, %s, %s)",
        (
            load_id, meeting.committee_type, meeting.org_unit_code, meeting.org_unit_name,
            meeting.meeting_date, meeting.n_present, meeting.n_absent,
        ),
    )  # fmt: skip
    items = [(load_id, item.number, item.title, list(item.topics)) for item in meeting.items]
    decisions = [
        (load_id, item.number, number, text)
        for item in meeting.items
        for number, text in enumerate(item.decisions, start=1)
    ]
    actions = [
        (load_id, item.number, number, action.action_id, action.text, action.owner_role, action.due_date)
        for item in meeting.items
        for number, action in enumerate(item.actions, start=1)
    ]
    followups = [
        (load_id, item.number, number, followup.action_id, followup.status)
        for item in meeting.items
        for number, followup in enumerate(item.followups, start=1)
    ]
    with conn.cursor() as cursor:
        cursor.executemany(
            "insert into raw.minutes_items (_load_id, _line, item_number, title, topics)"
            " values (%s, 0, %s, %s, %s)",
            items,
        )
        cursor.executemany(
            "insert into raw.minutes_decisions (_load_id, _line, item_number, decision_number, decision_text)"
            " values (%s, 0, %s, %s, %s)",
            decisions,
        )
        cursor.executemany(
            "insert into raw.minutes_actions (_load_id, _line, item_number, action_number, action_id,"
            " action_text, owner_role, due_date) values (%s, 0, %s, %s, %s, %s, %s, %s)",
            actions,
        )
        cursor.executemany(
            "insert into raw.minutes_followups (_load_id, _line, item_number, followup_number, action_id,"
            " status) values (%s, 0, %s, %s, %s, %s)",
            followups,
        )
