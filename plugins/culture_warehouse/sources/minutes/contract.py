"""The minutes contract: the five raw tables one meeting is written to, and its suite.

Documents are not tables: ``parser.py`` reads each into a meeting and ``ingestor.py`` writes it.
"""

from __future__ import annotations

FOLDER = "minutes"
ENTITY = "meetings"

TABLES: dict[str, str] = {
    "minutes_meetings": (
        "committee_type text not null, org_unit_code text, org_unit_name text,"
        " meeting_date date not null, n_present integer not null, n_absent integer not null"
    ),
    "minutes_items": "item_number integer not null, title text not null, topics text[] not null",
    "minutes_decisions": (
        "item_number integer not null, decision_number integer not null, decision_text text not null"
    ),
    "minutes_actions": (
        "item_number integer not null, action_number integer not null, action_id text,"
        " action_text text not null, owner_role text, due_date date"
    ),
    "minutes_followups": (
        "item_number integer not null, followup_number integer not null, action_id text not null,"
        " status text not null"
    ),
}
"""Raw table (in schema ``raw``) → its columns after ``_load_id`` and ``_line``."""

SUITE = "minutes_meetings"
"""The Great Expectations suite on a load's meeting row. Items, actions and follow-ups need none:
the parser rejects a document without items, numbers them upwards and the columns are typed and
``not null`` (each suite run costs ~0.15 s per document, which a backfill of thousands feels)."""
