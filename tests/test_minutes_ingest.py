"""SU/MED/AMU minutes through the door: every document format loads as name-free records, broken
documents are rejected with the parser's reason while the rest loads, and a corrected document
for the same meeting supersedes the earlier one."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from test_documents import tiny_png
from test_hr_door import database_text_containing

from culture_dev.generate import names
from culture_dev.generate.landing import generate_landing
from culture_warehouse import pipeline
from drops import ORG_UNITS
from nights import query, run_night

AS_OF = dt.date(2026, 10, 1)

MARKDOWN = """# Referat af møde i samarbejdsudvalget

Udvalg: SU
Enhed: Kontor A (1100)
Dato: 12.03.2026
Til stede: Anne Hansen (leder), Bo Jensen (TR), Carla Madsen (AMR)
Afbud: Dorthe Nielsen (medarbejderrepræsentant)
Referent: Bo Jensen

## 1. Resultater fra MTU 2025
Erik Sørensen gennemgik resultaterne af trivselsmålingen.
Beslutning: Anne Hansen indkalder til et temamøde.
Handling [H-2026-04]: Temamøde om trivsel planlægges. Ansvarlig: leder. Frist: 30.04.2026

## 2. Budget
Carla Madsen gennemgik budgetrammen for 2027.
"""

TEXT = """Udvalg: MED-udvalg
Enhed: 1200
Dato: 2026-04-01
Til stede: Frida Holm (leder), Gustav Berg (TR)
Afbud: ingen
Referent: Frida Holm

Punkt 1 Sygefravær
Status på fraværet, som Gustav Berg har samlet.
Handling: Fraværsstatistik fremlægges. Ansvarlig: Gustav Berg. Frist: 01.06.2026
"""

PDF_LINES = [
    "Referat",
    "Udvalg: Samarbejdsudvalget",
    "Enhed: Kontor A",
    "Dato: 15. juni 2026",
    "Til stede: Karen Vestergaard (leder), Lars Bach (TR)",
    "Afbud: Mette Krogh (AMR)",
    "1. Status på handlinger",
    "Opfølgning H-2026-04: afsluttet",
    "2. Trivsel i hverdagen",
    "Beslutning: Karen Vestergaard tager emnet op på personalemødet.",
]

PEOPLE = [
    "Anne", "Hansen", "Bo", "Jensen", "Carla", "Madsen", "Dorthe", "Nielsen", "Erik", "Sørensen",
    "Frida", "Holm", "Gustav", "Berg", "Hanne", "Lund", "Ib", "Kjær", "Jytte", "Dam", "Karen",
    "Vestergaard", "Lars", "Bach", "Mette", "Krogh",
]  # fmt: skip


def docx_minutes() -> bytes:
    """An AMU meeting whose header is a Word table, as the common template has it."""
    document = docx.Document()
    document.add_heading("Referat af AMU-møde", level=1)
    header = document.add_table(rows=5, cols=2)
    rows = [
        ("Udvalg:", "Arbejdsmiljøudvalg"),
        ("Enhed:", "1000"),
        ("Dato:", "5. maj 2026"),
        ("Til stede:", "Hanne Lund (leder), Ib Kjær (AMR), Jytte Dam (AMR)"),
        ("Referent:", "Ib Kjær"),
    ]
    for row, (label, value) in zip(header.rows, rows, strict=True):
        row.cells[0].text, row.cells[1].text = label, value
    document.add_paragraph("Punkt 1 APV-kortlægning 2026")
    document.add_paragraph("Jytte Dam fortalte om støjen i mødelokalerne.")
    document.add_paragraph("Handling [H-2026-04]: Lydpaneler bestilles. Ansvarlig: leder. Frist: 31.05.2026")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def scanned_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(tiny_png()), x=10, y=10, w=150)
    return bytes(pdf.output())


def write_landing(landing: Path) -> Path:
    (landing / "hr").mkdir(parents=True)
    (landing / "hr" / "org_units_20260101.csv").write_text(ORG_UNITS, encoding="utf-8")
    minutes = landing / "minutes"
    minutes.mkdir()
    (minutes / "SU_1100_2026-03-12.md").write_text(MARKDOWN, encoding="utf-8")
    (minutes / "med_1200_20260401.txt").write_bytes(TEXT.encode("cp1252"))
    (minutes / "AMU_1000_2026-05-05.docx").write_bytes(docx_minutes())
    (minutes / "Referat_SU-møde_15-06-2026.pdf").write_bytes(text_pdf(PDF_LINES))
    (minutes / "no_date.md").write_text(MARKDOWN.replace("Dato: 12.03.2026\n", ""), encoding="utf-8")
    (minutes / "unknown_unit.txt").write_text(TEXT.replace("Enhed: 1200", "Enhed: ?"), encoding="utf-8")
    (minutes / "no_items.md").write_text(MARKDOWN.split("## 1.")[0], encoding="utf-8")
    (minutes / "scan.pdf").write_bytes(scanned_pdf())
    (minutes / "notes.rtf").write_text("{\\rtf1 Udvalg: SU}", encoding="utf-8")
    return landing


def ingest(landing: Path, run_id: str) -> None:
    pipeline.start_night(AS_OF, run_id, str(landing))
    for folder in ("hr", "minutes"):
        pipeline.ingest(folder, AS_OF, run_id, str(landing))


def minutes_ledger(dsn: str) -> dict[str, tuple[str, str | None]]:
    rows = query(
        dsn,
        "select file_name, status, reason from audit.load_ledger where source = 'minutes' order by load_id",
    )
    return {name: (status, reason) for name, status, reason in rows}


def test_minutes_in_every_format_load_and_broken_ones_are_rejected_with_the_parsers_reason(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    ingest(write_landing(tmp_path), "r1")

    assert minutes_ledger(warehouse_dsn) == {
        "notes.rtf": ("rejected", "unrecognised file"),
        "AMU_1000_2026-05-05.docx": ("loaded", None),
        "Referat_SU-møde_15-06-2026.pdf": ("loaded", None),
        "SU_1100_2026-03-12.md": ("loaded", None),
        "med_1200_20260401.txt": ("loaded", None),
        "no_date.md": ("rejected", "no_date.md: no meeting date found (expected 'Dato: 12.03.2026')"),
        "no_items.md": (
            "rejected",
            "no_items.md: no agenda items found (expected 'Punkt 1', '1.' or '## 1. Title')",
        ),
        "scan.pdf": ("rejected", "scan.pdf: PDF has no text layer (scanned image?): cannot read minutes"),
        "unknown_unit.txt": ("rejected", "unknown_unit.txt: no unit found (expected 'Enhed: 1200')"),
    }
    meetings = query(
        warehouse_dsn,
        "select committee_type, org_unit_code, org_unit_name, meeting_date::text, n_present, n_absent"
        " from raw.minutes_meetings order by meeting_date",
    )
    assert meetings == [
        ("SU", "1100", None, "2026-03-12", 3, 1),
        ("MED", "1200", None, "2026-04-01", 2, 0),
        ("AMU", "1000", None, "2026-05-05", 3, 0),
        ("SU", None, "Kontor A", "2026-06-15", 2, 1),
    ]


def test_items_actions_and_follow_ups_are_kept_with_roles_topics_and_due_dates(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    ingest(write_landing(tmp_path), "r1")

    items = query(
        warehouse_dsn,
        "select meetings.meeting_date::text, items.item_number, items.topics from raw.minutes_items as items"
        " inner join raw.minutes_meetings as meetings using (_load_id) order by 1, 2",
    )
    assert items == [
        ("2026-03-12", 1, ["mtu", "trivsel"]),
        ("2026-03-12", 2, ["oekonomi"]),
        ("2026-04-01", 1, ["sygefravaer"]),
        ("2026-05-05", 1, ["apv", "arbejdsmiljoe"]),
        ("2026-06-15", 1, []),
        ("2026-06-15", 2, ["trivsel"]),
    ]
    actions = query(
        warehouse_dsn,
        "select meetings.meeting_date::text, actions.action_id, actions.owner_role, actions.due_date::text"
        " from raw.minutes_actions as actions"
        " inner join raw.minutes_meetings as meetings using (_load_id) order by 1",
    )
    assert actions == [
        ("2026-03-12", "H-2026-04", "leder", "2026-04-30"),
        ("2026-04-01", None, None, "2026-06-01"),
        ("2026-05-05", "H-2026-04", "leder", "2026-05-31"),
    ]
    assert query(warehouse_dsn, "select action_id, status from raw.minutes_followups") == [
        ("H-2026-04", "afsluttet")
    ]
    assert query(warehouse_dsn, "select decision_text from raw.minutes_decisions order by 1") == [
        ("[NAVN] indkalder til et temamøde.",),
        ("[NAVN] tager emnet op på personalemødet.",),
    ]


def test_a_corrected_document_for_the_same_committee_unit_and_date_supersedes_the_earlier_one(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    landing = write_landing(tmp_path)
    ingest(landing, "r1")
    corrected = MARKDOWN.replace("Afbud: Dorthe Nielsen (medarbejderrepræsentant)", "Afbud: ingen")
    (landing / "minutes" / "SU_1100_2026-03-12_rettet.md").write_text(corrected, encoding="utf-8")
    ingest(landing, "r2")

    rows = query(
        warehouse_dsn,
        "select file_name, status, logical_key, run_id from audit.load_ledger"
        " where logical_key = 'minutes/SU/1100/2026-03-12' order by load_id",
    )
    assert [row[:2] for row in rows] == [
        ("SU_1100_2026-03-12.md", "superseded"),
        ("SU_1100_2026-03-12_rettet.md", "loaded"),
    ]
    assert [row[3] for row in rows] == ["r1", "r2"]
    visible = query(
        warehouse_dsn,
        "select meetings.n_absent from raw.minutes_meetings as meetings"
        " inner join audit.load_ledger as ledger on meetings._load_id = ledger.load_id"
        " where ledger.status = 'loaded' and meetings.meeting_date = '2026-03-12'",
    )
    assert visible == [(0,)]


@pytest.mark.slow  # a whole night through dbt
def test_no_name_from_the_header_owners_or_free_text_reaches_any_table_after_a_whole_night(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    landing = write_landing(tmp_path)
    (landing / "hr" / "employees_20260101.csv").write_text(
        "employee_number;org_unit_code;hire_date\nE0001;1100;2020-01-01\n", encoding="utf-8"
    )
    run_night(landing, AS_OF)

    assert query(warehouse_dsn, "select count(*) from raw.minutes_meetings") == [(4,)]
    assert database_text_containing(warehouse_dsn, PEOPLE) == []


@pytest.mark.slow  # generates and ingests a 300-employee drop's minutes
def test_every_generated_minutes_document_loads_in_all_four_formats_and_keeps_no_committee_name(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    generate_landing(tmp_path, employees=300, seed=11, as_of=AS_OF)
    pipeline.start_night(AS_OF, "r1", str(tmp_path))
    pipeline.ingest("minutes", AS_OF, "r1", str(tmp_path))

    ledger = minutes_ledger(warehouse_dsn)
    assert {status for status, _ in ledger.values()} == {"loaded"}
    assert {Path(name).suffix for name in ledger} == {".md", ".txt", ".docx", ".pdf"}
    people = [*names.FEMALE_FIRST_NAMES, *names.MALE_FIRST_NAMES, *names.LAST_NAMES]
    pattern = f"(^|[^\\w])({'|'.join(people)})($|[^\\w])"
    kept_text = {
        "minutes_meetings": "org_unit_name",
        "minutes_items": "title",
        "minutes_decisions": "decision_text",
        "minutes_actions": "concat_ws(' ', action_text, owner_role)",
    }
    for table, text in kept_text.items():
        assert query(warehouse_dsn, f"select count(*) from raw.{table} where {text} ~ %s", pattern) == [(0,)]
