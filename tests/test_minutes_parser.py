"""SU/MED/AMU minutes become name-free meetings, items, decisions, actions and follow-ups."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from fpdf import FPDF

from culture_warehouse.privacy import contains_cpr
from culture_warehouse.readers.documents import DocumentError
from culture_warehouse.sources.minutes.parser import (
    NAME_PLACEHOLDER,
    Action,
    AgendaItem,
    FollowUp,
    Meeting,
    MinutesError,
    parse_minutes,
)
from culture_warehouse.sources.minutes.topics import TopicTaxonomy

# The tests' own minutes: four meetings written for these tests in the shape the contract
# describes (apv-minutes-results.md), one per header style: an AMU in .txt with a DD-MM-YYYY date
# and a short agenda, an SU in .md with the unit's name before its code and an agreed action, an
# AMU with the date in words, no Afbud line and a CPR number in the body, and a later SU that
# follows up on the first SU's action. The names are invented.
OWN_MINUTES = {
    "AMU_3300_2026-02-11.txt": """\
Udvalg: AMU
Enhed: 3300
Dato: 11-02-2026
Til stede: Merete Østergaard-Vind (leder), Jørn Kildegaard (AMR), Tove Hvidbjerg (medarbejderrepræsentant)
Afbud: Ulrik Brøndum (TR)

Punkt 1 Stress i perioden op til årsafslutningen
Travlheden i december blev gennemgået.
Punkt 2 Eventuelt
Ingen bemærkninger.
""",
    "SU_Kontor_for_Klagesager_2026-05-20.md": """\
# Referat af møde i samarbejdsudvalget

Udvalg: SU
Enhed: Kontor for Klagesager (3300)
Dato: 20.05.2026
Til stede: Merete Østergaard-Vind (leder), Ulrik Brøndum (TR), Jørn Kildegaard (AMR), Tove Hvidbjerg (medarbejderrepræsentant), Asger Nørgaard (medarbejderrepræsentant)
Afbud: Signe Bækgaard (medarbejderrepræsentant)
Referent: Ulrik Brøndum

## 1. Referat fra sidste møde
Beslutning: Referatet blev godkendt uden bemærkninger.

## 2. Handlingsplan efter MTU 2026
Kontorets resultater i medarbejderundersøgelsen blev præsenteret.
Beslutning: Hvert team vælger ét indsatsområde.
Handling [H-2026-14]: Teamene afleverer deres indsatsområder. Ansvarlig: leder. Frist: 15.08.2026

## 3. Forbrug i første halvår
Orientering om regnskabet til og med april.
""",  # noqa: E501 - attendee lines are as long as real ones
    "amu_3400_2026-08-27.md": """\
Referat
Udvalg: Arbejdsmiljøudvalg
Enhed: 3400
Dato: 27. august 2026
Til stede: Lone Havsteen (leder), Kasper Rødgaard (AMR), Birgitte Fjordside (AMR), Mikkel Vejlebro (medarbejderrepræsentant)
Referent: Lone Havsteen
Punkt 1 APV-opfølgning
Klagerne over støj i storrummet, jf. henvendelsen fra medarbejder 030478-2217.
Beslutning: Der indkøbes lydabsorberende skærme.
Handling: Indhent tilbud på skærme. Ansvarlig: leder. Frist: 30.09.2026
Punkt 2 Langtidssygemeldinger
Antallet af langtidssygemeldte er halveret siden foråret.
""",  # noqa: E501 - attendee lines are as long as real ones
    "su_3300_20260916.txt": """\
Udvalg: Samarbejdsudvalg
Enhed: 3300
Dato: 2026-09-16
Til stede: Merete Østergaard-Vind (leder), Ulrik Brøndum (TR), Tove Hvidbjerg (medarbejderrepræsentant), Asger Nørgaard (medarbejderrepræsentant)
Afbud: Jørn Kildegaard (AMR), Signe Bækgaard (medarbejderrepræsentant)
Referent: Ulrik Brøndum

Punkt 1 Status på aftalte handlinger
Opfølgning H-2026-14: afsluttet

Punkt 2 Efteruddannelse
Drøftelse af kurser i det nye sagssystem.
""",  # noqa: E501 - attendee lines are as long as real ones
}
FORMATS = (".md", ".txt", ".docx", ".pdf")
TOPICS = TopicTaxonomy.load()

HEADER = """Udvalg: SU
Enhed: 1200
Dato: 12.03.2026
Til stede: Anne Hansen (leder), Bo Jensen (TR)
Afbud: ingen
"""

STANDARD = """# Referat af møde i SU

Udvalg: SU
Enhed: Økonomikontoret (1200)
Dato: 12.03.2026
Til stede: Anne Hansen (leder), Bo Jensen (TR), Carla Madsen (AMR)
Afbud: Dorthe Nielsen (medarbejderrepræsentant)
Referent: Bo Jensen

Punkt 1 Valg af ordstyrer
Beslutning: Mødet blev ledet af formanden.

Punkt 2: Resultaterne af MTU 2026
Tallene blev drøftet med Erik Eriksen, se sag 010190-1235.
Beslutning: Anne Hansen inviterer til et dialogmøde.
Handling [H-2026-07]: Dialogmødet holdes i alle teams. Ansvarlig: leder. Frist: 30.04.2026

Punkt 3 - Sygefraværet i 2. kvartal
Opfølgning H-2026-03: afsluttet
Handling: Bo undersøger sagen om 0101901235. Ansvarlig: Bo Jensen. Frist: 12. maj 2026
"""

PEOPLE = ("Anne", "Hansen", "Bo", "Jensen", "Carla", "Madsen", "Dorthe", "Nielsen", "Erik")


def encode(text: str, suffix: str) -> bytes:
    """The same minutes as the bytes of a .md, .txt, .docx (one paragraph a line) or text PDF."""
    lines = text.split("\n")
    if suffix == ".docx":
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
    if suffix == ".pdf":
        pdf = FPDF()
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        for line in lines:
            pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    return text.encode()


def parse(text: str, suffix: str = ".md") -> Meeting:
    return parse_minutes(f"referat{suffix}", encode(text, suffix), TOPICS)


def with_items(items: str, header: str = HEADER) -> str:
    return f"{header}\n{items}"


def strings(value: object) -> Iterator[str]:
    """Every string anywhere in a parsed meeting, to prove what can and cannot be stored."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from strings(getattr(value, item.name))
    elif isinstance(value, tuple):
        for element in value:
            yield from strings(element)


# --- the whole template ---------------------------------------------------------------------


def test_standard_template_is_parsed_into_meeting_items_decisions_actions_and_followups() -> None:
    meeting = parse(STANDARD)

    assert meeting == Meeting(
        committee_type="SU",
        org_unit_code="1200",
        org_unit_name=None,
        meeting_date=dt.date(2026, 3, 12),
        n_present=3,
        n_absent=1,
        items=(
            AgendaItem(1, "Valg af ordstyrer", (), ("Mødet blev ledet af formanden.",), (), ()),
            AgendaItem(
                2,
                "Resultaterne af MTU 2026",
                ("mtu",),
                (f"{NAME_PLACEHOLDER} inviterer til et dialogmøde.",),
                (
                    Action(
                        "H-2026-07",
                        "Dialogmødet holdes i alle teams.",
                        "leder",
                        dt.date(2026, 4, 30),
                    ),
                ),
                (),
            ),
            AgendaItem(
                3,
                "Sygefraværet i 2. kvartal",
                ("sygefravaer",),
                (),
                (
                    Action(
                        None,
                        f"{NAME_PLACEHOLDER} undersøger sagen om [CPR].",
                        None,
                        dt.date(2026, 5, 12),
                    ),
                ),
                (FollowUp("H-2026-03", "afsluttet"),),
            ),
        ),
    )


@pytest.mark.parametrize("suffix", FORMATS)
def test_every_document_format_gives_the_same_meeting(suffix: str) -> None:
    assert parse(STANDARD, suffix) == parse(STANDARD, ".md")


def test_word_minutes_with_the_header_in_a_table_are_read() -> None:
    document = docx.Document()
    document.add_heading("Referat", level=1)
    table = document.add_table(rows=5, cols=2)
    rows = [
        ("Udvalg:", "MED-udvalg"),
        ("Enhed:", "1200"),
        ("Dato:", "12. marts 2026"),
        ("Til stede:", "Anne Hansen (leder)\nBo Jensen (TR)"),
        ("Afbud:", "Carla Madsen (AMR)"),
    ]
    for row, (key, value) in zip(table.rows, rows, strict=True):
        row.cells[0].text = key
        first, *more = value.split("\n")
        row.cells[1].text = first
        for line in more:
            row.cells[1].add_paragraph(line)
    document.add_heading("1. Trivsel", level=2)
    document.add_paragraph("Beslutning: Der holdes temadag.")
    buffer = io.BytesIO()
    document.save(buffer)

    meeting = parse_minutes("referat.docx", buffer.getvalue(), TOPICS)

    assert (meeting.committee_type, meeting.org_unit_code, meeting.meeting_date) == (
        "MED",
        "1200",
        dt.date(2026, 3, 12),
    )
    assert (meeting.n_present, meeting.n_absent) == (2, 1)
    assert meeting.items == (AgendaItem(1, "Trivsel", ("trivsel",), ("Der holdes temadag.",), (), ()),)


def test_markdown_decoration_and_tables_do_not_hide_the_template() -> None:
    text = """| Felt | Værdi |
|---|---|
| **Udvalg** | AMU |
| Enhed | 1200 |
| Dato | 2026-03-12 |

- **Til stede:** Anne Hansen (leder), Bo Jensen (AMR)

## 1. *Indeklima*
**Beslutning:** Der måles temperatur.
"""
    meeting = parse(text)

    assert (meeting.committee_type, meeting.org_unit_code, meeting.n_present) == ("AMU", "1200", 2)
    assert meeting.items[0].title == "Indeklima"
    assert meeting.items[0].decisions == ("Der måles temperatur.",)


# --- the tests' own minutes, shaped like a landing drop -------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "committee", "unit", "date", "present", "absent", "items"),
    [
        ("AMU_3300_2026-02-11.txt", "AMU", "3300", dt.date(2026, 2, 11), 3, 1, 2),
        ("SU_Kontor_for_Klagesager_2026-05-20.md", "SU", "3300", dt.date(2026, 5, 20), 5, 1, 3),
        ("amu_3400_2026-08-27.md", "AMU", "3400", dt.date(2026, 8, 27), 4, 0, 2),
        ("su_3300_20260916.txt", "SU", "3300", dt.date(2026, 9, 16), 4, 2, 2),
    ],
)
def test_a_set_of_committee_minutes_parses_with_the_expected_header_and_items(
    file_name: str,
    committee: str,
    unit: str,
    date: dt.date,
    present: int,
    absent: int,
    items: int,
) -> None:
    meeting = parse_minutes(file_name, OWN_MINUTES[file_name].encode(), TOPICS)

    assert (meeting.committee_type, meeting.org_unit_code, meeting.meeting_date) == (
        committee,
        unit,
        date,
    )
    assert (meeting.n_present, meeting.n_absent, len(meeting.items)) == (present, absent, items)
    assert [item.number for item in meeting.items] == list(range(1, items + 1))


def test_actions_follow_ups_and_topics_of_a_set_of_minutes_are_found() -> None:
    def read(file_name: str) -> Meeting:
        return parse_minutes(file_name, OWN_MINUTES[file_name].encode(), TOPICS)

    may, september = read("SU_Kontor_for_Klagesager_2026-05-20.md"), read("su_3300_20260916.txt")
    amu = read("amu_3400_2026-08-27.md")

    assert may.items[1].topics == ("mtu",)
    assert may.items[1].actions == (
        Action("H-2026-14", "Teamene afleverer deres indsatsområder.", "leder", dt.date(2026, 8, 15)),
    )
    assert september.items[0].followups == (FollowUp("H-2026-14", "afsluttet"),)
    assert amu.items[0].actions == (Action(None, "Indhent tilbud på skærme.", "leder", dt.date(2026, 9, 30)),)
    assert amu.items[1].topics == ("sygefravaer",)


def test_a_set_of_minutes_keeps_no_names_and_no_cpr_numbers() -> None:
    for file_name, text in OWN_MINUTES.items():
        listed = " ".join(
            line.split(":", 1)[1]
            for line in text.splitlines()
            if line.startswith(("Til stede:", "Afbud:", "Referent:"))
        )
        names = set(re.findall(r"[A-ZÆØÅ]\w+", re.sub(r"\(.*?\)", "", listed)))
        assert len(names) >= 6, file_name

        stored = " ".join(strings(parse_minutes(file_name, text.encode(), TOPICS)))

        assert not [name for name in names if name in stored]
        assert not contains_cpr(stored)


# --- header variants ------------------------------------------------------------------------


# Each row is one header written differently; together they cover every accepted form of the
# committee, the unit and the date, and each row runs in every document format.
HEADER_VARIANTS = [
    ("SU", "SU", "1200", "1200", None, "12.03.2026"),
    ("su", "SU", "Økonomikontoret (1200)", "1200", None, "2026-03-12"),
    ("Samarbejdsudvalg", "SU", "1200 - Økonomikontoret", "1200", None, "12. marts 2026"),
    ("Samarbejdsudvalget", "SU", "Økonomikontoret", None, "Økonomikontoret", "12 Marts 2026"),
    ("SU-møde", "SU", "Økonomikontoret (1200)", "1200", None, "12. mar. 2026"),
    ("MED", "MED", "1200", "1200", None, "12-03-2026"),
    ("MED-udvalg", "MED", "1200 Økonomikontoret", "1200", None, "12/3 2026"),
    ("Lokal-MED", "MED", "HR-kontoret", None, "HR-kontoret", "12/3-2026"),
    ("AMU", "AMU", "1200", "1200", None, "12.3.26"),
    ("Arbejdsmiljøudvalg", "AMU", "1200", "1200", None, "torsdag den 12. marts 2026 kl. 10-12"),
    ("Arbejdsmiljøudvalget (ordinært møde)", "AMU", "A-12", "A-12", None, "12.03.2026"),
]


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize(
    ("committee_written", "committee", "unit_written", "code", "unit_name", "date_written"),
    HEADER_VARIANTS,
)
def test_header_variants_give_committee_unit_and_date_in_every_format(
    committee_written: str,
    committee: str,
    unit_written: str,
    code: str | None,
    unit_name: str | None,
    date_written: str,
    suffix: str,
) -> None:
    header = (
        f"Udvalg: {committee_written}\nEnhed: {unit_written}\nDato: {date_written}\n"
        "Til stede: Anne Hansen (leder), Bo Jensen (TR)\n"
    )

    meeting = parse(with_items("Punkt 1 Eventuelt", header), suffix)

    assert meeting.committee_type == committee
    assert (meeting.org_unit_code, meeting.org_unit_name) == (code, unit_name)
    assert meeting.meeting_date == dt.date(2026, 3, 12)
    assert meeting.n_present == 2


def test_header_value_on_the_line_below_its_label_is_read() -> None:
    text = "Udvalg:\nAMU\nEnhed:\n1200\nDato:\n12.03.2026\nTil stede: Anne (leder)\n\nPunkt 1 Eventuelt"

    meeting = parse(text)

    assert (meeting.committee_type, meeting.org_unit_code) == ("AMU", "1200")
    assert meeting.meeting_date == dt.date(2026, 3, 12)


def test_people_fields_below_the_items_are_not_counted_but_their_names_are_blanked() -> None:
    text = with_items(
        "Punkt 1 Budget\nBeslutning: Frida Frost og Gustav fremlægger.\n\n"
        "Fraværende: Gustav Grøn, Hans Hansen\nReferent: Frida Frost\n"
    )

    meeting = parse(text)

    assert (meeting.n_present, meeting.n_absent) == (2, 0)
    assert meeting.items[0].decisions == (f"{NAME_PLACEHOLDER} og {NAME_PLACEHOLDER} fremlægger.",)


@pytest.mark.parametrize(
    ("present", "absent", "counts"),
    [
        ("Anne Hansen (leder), Bo Jensen (TR)", "ingen", (2, 0)),
        ("Anne Hansen (leder); Bo Jensen (TR)", "Ingen afbud", (2, 0)),
        ("Anne Hansen (leder) og Bo Jensen (TR)", "-", (2, 0)),
        ("Anne Hansen (leder, formand), Bo Jensen (TR)", "Carla Madsen", (2, 1)),
        ("Anne Hansen (leder) Bo Jensen (TR)", "Carla Madsen (AMR), Dorthe Nielsen", (2, 2)),
        ("leder, TR, AMR", "medarbejderrepræsentant", (3, 1)),
        ("7", "2 personer", (7, 2)),
    ],
)
def test_people_present_and_absent_are_counted(present: str, absent: str, counts: tuple[int, int]) -> None:
    header = f"Udvalg: SU\nEnhed: 1200\nDato: 12.03.2026\nTil stede: {present}\nAfbud: {absent}\n"

    meeting = parse(with_items("Punkt 1 Eventuelt", header))

    assert (meeting.n_present, meeting.n_absent) == counts


def test_missing_afbud_counts_as_nobody_absent() -> None:
    header = "Udvalg: SU\nEnhed: 1200\nDato: 12.03.2026\nTil stede: Anne Hansen (leder)\n"

    assert parse(with_items("Punkt 1 Eventuelt", header)).n_absent == 0


def test_people_listed_one_per_line_under_an_empty_til_stede_are_counted() -> None:
    header = """Udvalg: SU
Enhed: 1200
Dato: 12.03.2026
Til stede:
- Anne Hansen (leder)
- Bo Jensen (TR)
- Carla Madsen
Afbud:
Dorthe Nielsen
Erik Eriksen (AMR)
Dagsorden
"""
    meeting = parse(with_items("Punkt 1 Eventuelt", header))

    assert (meeting.n_present, meeting.n_absent) == (3, 2)


@pytest.mark.parametrize(
    "wrapped",
    [
        "Til stede: Anne Hansen (leder), Bo\nJensen (TR), Carla Madsen (AMR)",
        "Til stede: Anne Hansen (leder), Bo Jensen (TR),\nCarla Madsen (AMR)",
        "Til stede: Anne Hansen (leder), Bo Jensen\n(TR), Carla Madsen (AMR)",
    ],
)
def test_a_list_of_people_wrapped_over_two_lines_is_counted_once(wrapped: str) -> None:
    header = f"Udvalg: SU\nEnhed: 1200\nDato: 12.03.2026\n{wrapped}\nMødet blev holdt kl. 10.\n"

    assert parse(with_items("Punkt 1 Eventuelt", header)).n_present == 3


# --- item variants --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Punkt 1 Budget", "Punkt 2 Eventuelt"),
        ("Punkt 1: Budget", "Punkt 2: Eventuelt"),
        ("Punkt 1. Budget", "Punkt 2. Eventuelt"),
        ("Punkt 1 - Budget", "Punkt 2 - Eventuelt"),
        ("PUNKT 1 Budget", "punkt 2 Eventuelt"),
        ("Pkt. 1 Budget", "Pkt. 2 Eventuelt"),
        ("Ad 1. Budget", "Ad 2. Eventuelt"),
        ("1. Budget", "2. Eventuelt"),
        ("1) Budget", "2) Eventuelt"),
        ("## 1. Budget", "## 2. Eventuelt"),
        ("### 1 Budget", "### 2 Eventuelt"),
        ("# Punkt 1: Budget", "# Punkt 2: Eventuelt"),
        ("**Punkt 1:** Budget", "**Punkt 2:** Eventuelt"),
    ],
)
def test_every_agenda_item_marker_starts_an_item(first: str, second: str, suffix: str) -> None:
    text = with_items(f"{first}\nBeslutning: Vedtaget.\n\n{second}\nIntet.\n")

    meeting = parse(text, suffix)

    assert [(item.number, item.title) for item in meeting.items] == [
        (1, "Budget"),
        (2, "Eventuelt"),
    ]
    assert meeting.items[0].decisions == ("Vedtaget.",)


def test_title_on_the_line_after_a_bare_marker_is_the_title() -> None:
    meeting = parse(with_items("Punkt 1\nValg af ordstyrer\nBeslutning: Godkendt."))

    assert meeting.items[0].title == "Valg af ordstyrer"
    assert meeting.items[0].decisions == ("Godkendt.",)


def test_numbered_list_inside_punkt_items_is_body_text() -> None:
    text = with_items("Punkt 1 Budget\nDrøftet:\n1. Kurser\n2. Rejser\n\nPunkt 2 Eventuelt\n")

    meeting = parse(text)

    assert [(item.number, item.title) for item in meeting.items] == [
        (1, "Budget"),
        (2, "Eventuelt"),
    ]
    assert meeting.items[0].topics == ("kompetenceudvikling", "oekonomi")


def test_dagsorden_overview_before_the_items_is_not_read_as_extra_items() -> None:
    text = with_items(
        "Dagsorden:\n1. Budget\n2. Eventuelt\n\n1. Budget\nBeslutning: Vedtaget.\n2. Eventuelt\n"
    )

    meeting = parse(text)

    assert [(item.number, item.title) for item in meeting.items] == [
        (1, "Budget"),
        (2, "Eventuelt"),
    ]
    assert meeting.items[0].decisions == ("Vedtaget.",)


def test_a_later_reference_to_an_earlier_item_number_is_body_text() -> None:
    text = with_items("Punkt 1 Budget\nBeslutning: Vedtaget.\nPunkt 2 Eventuelt\nPunkt 1 genoptages.")

    assert [item.number for item in parse(text).items] == [1, 2]


def test_a_line_starting_with_a_date_is_not_a_numbered_item() -> None:
    text = with_items("1. Budget\n12. marts blev budgettet vedtaget.\n2. Eventuelt\n")

    assert [item.number for item in parse(text).items] == [1, 2]


# --- decisions, actions and follow-ups ------------------------------------------------------


def test_several_decisions_and_bullets_under_an_empty_beslutning_are_each_kept() -> None:
    text = with_items(
        "Punkt 1 Budget\nBeslutning: Budgettet vedtages.\nBeslutning:\n- Kurser prioriteres.\n"
        "- Rejser halveres.\n\nDer var god stemning.\n"
    )

    assert parse(text).items[0].decisions == (
        "Budgettet vedtages.",
        "Kurser prioriteres.",
        "Rejser halveres.",
    )


def test_a_decision_wrapped_over_lines_is_joined_and_following_body_text_is_not_kept() -> None:
    text = with_items(
        "Punkt 1 Budget\nBeslutning: Budgettet vedtages, og der\nafsættes midler til kurser.\n"
        "Drøftelsen fortsætter næste gang.\n"
    )

    assert parse(text).items[0].decisions == ("Budgettet vedtages, og der afsættes midler til kurser.",)


def test_bullets_under_a_decision_ending_in_a_colon_are_further_decisions() -> None:
    text = with_items(
        "Punkt 1 Budget\nBeslutning: Det blev besluttet:\n- Kurser prioriteres.\n- Rejser halveres.\n"
    )

    assert parse(text).items[0].decisions == (
        "Det blev besluttet:",
        "Kurser prioriteres.",
        "Rejser halveres.",
    )


def test_a_long_action_wrapped_by_the_pdf_keeps_its_owner_and_due_date() -> None:
    action = (
        "Handling [H-2026-07]: Arbejdsgruppen fremlægger et samlet forslag til opfølgning på "
        "trivselsmålingen i alle kontorer og teams i afdelingen. Ansvarlig: leder. Frist:"
    )
    text = with_items(f"Punkt 1 MTU\n{action}\n30.04.2026\n")

    (parsed,) = parse(text, ".pdf").items[0].actions

    assert parsed.text.endswith("i alle kontorer og teams i afdelingen.")
    assert (parsed.owner_role, parsed.due_date) == ("leder", dt.date(2026, 4, 30))


@pytest.mark.parametrize(
    ("line", "action"),
    [
        (
            "Handling [H-2026-07]: Bestil stole. Ansvarlig: leder. Frist: 30.04.2026",
            Action("H-2026-07", "Bestil stole.", "leder", dt.date(2026, 4, 30)),
        ),
        (
            "Handling (h-2026-7): Bestil stole, ansvarlig: TR, frist 30/4 2026",
            Action("H-2026-7", "Bestil stole", "tillidsrepræsentant", dt.date(2026, 4, 30)),
        ),
        (
            "Handling H-2026-08 - Bestil stole (Ansvarlig: AMR; Frist: 2026-04-30)",
            Action("H-2026-08", "Bestil stole", "arbejdsmiljørepræsentant", dt.date(2026, 4, 30)),
        ),
        ("Handling: Bestil stole.", Action(None, "Bestil stole.", None, None)),
        (
            "Handling: Bestil stole.\nAnsvarlig: Sekretariatet\nFrist: 30. april 2026",
            Action(None, "Bestil stole.", "sekretariatet", dt.date(2026, 4, 30)),
        ),
        (
            "Handling: Bestil stole og\nborde. Ansvarlig: leder",
            Action(None, "Bestil stole og borde.", "leder", None),
        ),
    ],
)
def test_actions_are_split_into_id_text_owner_role_and_due_date(line: str, action: Action) -> None:
    assert parse(with_items(f"Punkt 1 Indkøb\n{line}\n")).items[0].actions == (action,)


@pytest.mark.parametrize(
    ("owner", "role"),
    [
        ("leder", "leder"),
        ("Lederen", "leder"),
        ("nærmeste leder", "leder"),
        ("Kontorchef", "kontorchef"),
        ("afdelingschefen", "afdelingschef"),
        ("direktør", "direktør"),
        ("TR", "tillidsrepræsentant"),
        ("tillidsrepræsentanten", "tillidsrepræsentant"),
        ("AMR", "arbejdsmiljørepræsentant"),
        ("HR", "hr"),
        ("sekretariatet", "sekretariatet"),
        ("Formanden", "formand"),
        ("næstformand", "næstformand"),
        ("udvalget", "udvalget"),
        ("ledelsen", "ledelsen"),
        ("medarbejderrepræsentanterne", "medarbejderrepræsentant"),
        ("TR og AMR", "tillidsrepræsentant, arbejdsmiljørepræsentant"),
        ("Anne Hansen (leder)", "leder"),
        ("Anne Hansen", None),
        ("Bo", None),
    ],
)
def test_owner_is_kept_only_as_a_lowercase_role(owner: str, role: str | None) -> None:
    text = with_items(f"Punkt 1 Indkøb\nHandling: Bestil stole. Ansvarlig: {owner}\n")

    assert parse(text).items[0].actions[0].owner_role == role


@pytest.mark.parametrize(
    ("written", "due"),
    [
        ("30.04.2026", dt.date(2026, 4, 30)),
        ("2026-04-30", dt.date(2026, 4, 30)),
        ("30. april 2026", dt.date(2026, 4, 30)),
        ("30. apr. 2026", dt.date(2026, 4, 30)),
        ("30-04-2026", dt.date(2026, 4, 30)),
        ("30/4 2026", dt.date(2026, 4, 30)),
        ("30/4", dt.date(2026, 4, 30)),
        ("1. februar", dt.date(2027, 2, 1)),
        ("næste møde", None),
        ("31.02.2026", None),
    ],
)
def test_due_date_is_read_in_every_form_and_a_missing_year_follows_the_meeting(
    written: str, due: dt.date | None
) -> None:
    text = with_items(f"Punkt 1 Indkøb\nHandling: Bestil stole. Frist: {written}\n")

    assert parse(text).items[0].actions[0].due_date == due


@pytest.mark.parametrize(
    ("line", "followups"),
    [
        ("Opfølgning H-2026-03: afsluttet", (FollowUp("H-2026-03", "afsluttet"),)),
        ("Opfølgning H-2026-03: Afsluttet", (FollowUp("H-2026-03", "afsluttet"),)),
        ("Opfølgning [H-2026-03] - lukket", (FollowUp("H-2026-03", "afsluttet"),)),
        ("Opfølgning på h-2026-03: færdig", (FollowUp("H-2026-03", "afsluttet"),)),
        ("Opfølgning H-2026-03: i gang", (FollowUp("H-2026-03", "i gang"),)),
        ("Opfølgning H-2026-03: igang", (FollowUp("H-2026-03", "i gang"),)),
        ("Opfølgning H-2026-03: påbegyndt", (FollowUp("H-2026-03", "i gang"),)),
        ("Opfølgning H-2026-03: ikke afsluttet", (FollowUp("H-2026-03", "i gang"),)),
        ("Status H-2026-03: lukket", (FollowUp("H-2026-03", "afsluttet"),)),
        (
            "Opfølgning: H-2026-03 afsluttet, H-2026-04 i gang",
            (FollowUp("H-2026-03", "afsluttet"), FollowUp("H-2026-04", "i gang")),
        ),
        ("Opfølgning på handlingsplanen blev drøftet.", ()),
        ("Status på klagesagen, sag 240893-1106.", ()),
    ],
)
def test_followups_are_read_with_their_status_normalised(line: str, followups: tuple[FollowUp, ...]) -> None:
    assert parse(with_items(f"Punkt 1 Opfølgning\n{line}\n")).items[0].followups == followups


def test_followup_without_a_recognised_status_is_rejected_without_quoting_it() -> None:
    with pytest.raises(MinutesError, match="item 1: a follow-up has no recognised status") as err:
        parse(with_items("Punkt 1 Opfølgning\nOpfølgning H-2026-03: spørg Anne Hansen\n"))
    assert "Anne" not in str(err.value)
    assert "H-2026-03: spørg" not in str(err.value)


# --- malformed minutes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drop", "reason"),
    [
        ("Dato: 12.03.2026", "no meeting date found (expected 'Dato: 12.03.2026')"),
        ("Udvalg: SU", "no committee found (expected 'Udvalg: SU')"),
        ("Enhed: 1200", "no unit found (expected 'Enhed: 1200')"),
    ],
)
def test_minutes_without_a_header_field_are_rejected_with_the_expected_form(drop: str, reason: str) -> None:
    with pytest.raises(MinutesError) as raised:
        parse(with_items("Punkt 1 Eventuelt", HEADER.replace(drop, "")))
    assert str(raised.value) == reason


def test_minutes_without_agenda_items_are_rejected() -> None:
    with pytest.raises(MinutesError) as raised:
        parse(HEADER + "\nBudgettet blev drøftet med Anne Hansen.\n")
    assert str(raised.value) == "no agenda items found (expected 'Punkt 1', '1.' or '## 1. Title')"


@pytest.mark.parametrize(
    ("header_line", "replacement", "reason"),
    [
        ("Udvalg: SU", "Udvalg: Anne Hansens gruppe", "committee not recognised"),
        ("Dato: 12.03.2026", "Dato: Anne Hansens fødselsdag", "meeting date not understood"),
        ("Dato: 12.03.2026", "Dato: 31.02.2026", "meeting date not understood"),
    ],
)
def test_unreadable_header_values_are_rejected_without_quoting_them(
    header_line: str, replacement: str, reason: str
) -> None:
    with pytest.raises(MinutesError, match=reason) as raised:
        parse(with_items("Punkt 1 Eventuelt", HEADER.replace(header_line, replacement)))
    assert "Anne" not in str(raised.value)
    assert "31.02" not in str(raised.value)


def test_scanned_pdf_minutes_are_rejected_as_having_no_text_layer() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 190, 270, style="F")

    with pytest.raises(DocumentError, match=r"PDF has no text layer \(scanned image\?\)"):
        parse_minutes("scan.pdf", bytes(pdf.output()), TOPICS)


def test_corrupt_word_minutes_are_rejected_as_unreadable() -> None:
    with pytest.raises(DocumentError, match="corrupt or not a Word document"):
        parse_minutes("referat.docx", encode(STANDARD, ".docx")[:500], TOPICS)


def test_minutes_errors_are_value_errors_so_the_loader_can_quarantine_them() -> None:
    assert issubclass(MinutesError, ValueError)


# --- personal data --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", FORMATS)
def test_no_name_from_the_header_or_free_text_reaches_any_stored_field(suffix: str) -> None:
    text = """Udvalg: SU
Enhed: 1200
Dato: 12.03.2026
Til stede: Anne Hansen (leder), Bo Jensen-Kjær (TR), Carla Madsen (AMR)
Afbud: Dorthe Nielsen (medarbejderrepræsentant)
Referent: Frida Frost

Punkt 1 Afsked med Dorthe Nielsen
Frida Frost og Gustav Grøn fortalte om Dorthes opgaver.
Beslutning: Anne og Jensen-Kjær planlægger en reception med Carla Madsen.
Handling [H-2026-09]: Anne Hansens forslag sendes til Carla. Ansvarlig: Gustav Grøn
Handling: Kontakt Gustav. Ansvarlig: Gustav Grøn. Frist: 30.04.2026
"""
    meeting = parse(text, suffix)

    stored = list(strings(meeting))
    for name in ("Anne", "Hansen", "Jensen", "Kjær", "Carla", "Madsen", "Dorthe", "Nielsen"):
        assert not any(name in value for value in stored), name
    for name in ("Frida", "Frost", "Gustav", "Grøn"):
        assert not any(name in value for value in stored), name
    assert meeting.items[0].title == f"Afsked med {NAME_PLACEHOLDER}"
    assert meeting.items[0].actions[0].owner_role is None


@pytest.mark.parametrize("suffix", FORMATS)
def test_cpr_numbers_are_redacted_in_every_stored_field(suffix: str) -> None:
    # 010190-1235 fails the modulus-11 check and must be redacted all the same.
    cprs = "010190-1235, 0101901235, 240893-1106 og 010190 1235"
    text = with_items(
        f"Punkt 1 Sagen om {cprs}\nBody om {cprs}.\nBeslutning: Sag {cprs} lukkes.\n"
        f"Handling [H-1]: Arkivér {cprs}. Ansvarlig: HR\n"
    )

    meeting = parse(text, suffix)

    assert not contains_cpr(" ".join(strings(meeting)))
    redacted = "[CPR], [CPR], [CPR] og [CPR]"
    item = meeting.items[0]
    assert (item.title, item.decisions, item.actions[0].text) == (
        f"Sagen om {redacted}",
        (f"Sag {redacted} lukkes.",),
        f"Arkivér {redacted}.",
    )


def test_cpr_number_written_with_a_word_dash_is_redacted() -> None:
    text = with_items("Punkt 1 Sagen om 010190\u20131235\n")

    assert parse(text, ".docx").items[0].title == "Sagen om [CPR]"


@pytest.mark.parametrize("suffix", [".md", ".txt", ".docx"])  # the test PDF font has no en dash
def test_cpr_number_after_a_hyphen_or_a_word_dash_is_redacted(suffix: str) -> None:
    text = with_items(
        "Punkt 1 Sag-010190-1235 og sag\u2013240893-1106\n"
        "Handling [H-1]: Arkivér sag-0101901235. Ansvarlig: HR\n"
    )

    item = parse(text, suffix).items[0]

    assert (item.title, item.actions[0].text) == ("Sag-[CPR] og sag-[CPR]", "Arkivér sag-[CPR].")


def test_cpr_number_in_a_header_never_reaches_an_error_message() -> None:
    with pytest.raises(MinutesError) as raised:
        parse("Udvalg: 010190-1235\nEnhed: 1200\nDato: 12.03.2026\nPunkt 1 Eventuelt\n")
    assert "010190" not in str(raised.value)


# --- topics ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "topics"),
    [
        ("Punkt 1 Resultaterne af MTU 2026", ("mtu",)),
        ("Punkt 1 Sygefraværet i 2. kvartal", ("sygefravaer",)),
        ("Punkt 1 Eventuelt\nIntet.", ()),
        ("Punkt 1 Valg af ordstyrer\nBeslutning: Godkendt.", ()),
        ("Punkt 1 Orientering\nTillidsrepræsentanten orienterede om nyt.", ()),
        ("Punkt 1 Orientering\nTo var fraværende.", ()),
        (
            "Punkt 1 Orientering\nBeslutning: Budgettet for kurser vedtages.",
            ("kompetenceudvikling", "oekonomi"),
        ),
        ("Punkt 1 Orientering\nHandling: Planlæg omorganiseringen.", ("organisationsaendring",)),
        ("Punkt 1 APV-kortlægning\nTo faldulykker på trappen blev gennemgået.", ("apv", "arbejdsmiljoe")),
        ("Punkt 1 Sygefravaer og trivslen", ("sygefravaer", "trivsel")),
        ("Punkt 1 Social kapital: tillid og samarbejdet", ("samarbejde", "tillid")),
    ],
)
def test_topics_come_from_title_body_decisions_and_actions(item: str, topics: tuple[str, ...]) -> None:
    assert parse(with_items(item)).items[0].topics == topics


def test_topic_taxonomy_defines_every_contract_topic_with_a_label() -> None:
    assert {topic.code for topic in TOPICS.topics} == {
        "mtu", "apv", "trivsel", "sygefravaer", "arbejdsmiljoe", "kompetenceudvikling", "tillid",
        "anerkendelse", "samarbejde", "organisationsaendring", "oekonomi", "rekruttering",
    }  # fmt: skip
    assert all(topic.label and topic.keywords for topic in TOPICS.topics)


def test_topic_taxonomy_is_read_from_the_project_dir_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "topics.yml").write_text(
        "topics:\n  ferie:\n    label: Ferie\n    keywords: ['ferie*', 'sommer pause']\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CULTURE_PROJECT_DIR", str(tmp_path))

    taxonomy = TopicTaxonomy.load()

    assert taxonomy.topics_for("Ferieplanen") == ("ferie",)
    assert taxonomy.topics_for("Sommer-pause i juli") == ("ferie",)
    assert taxonomy.topics_for("Sommeren") == ()


def test_plain_keyword_matches_whole_words_and_stem_matches_word_starts(tmp_path: Path) -> None:
    path = tmp_path / "topics.yml"
    path.write_text(
        "topics:\n  x:\n    label: X\n    keywords: ['fravær']\n"
        "  y:\n    label: Y\n    keywords: ['fravær*']\n",
        encoding="utf-8",
    )
    taxonomy = TopicTaxonomy.load(path)

    assert taxonomy.topics_for("Fravær i kvartalet") == ("x", "y")
    assert taxonomy.topics_for("FRAVAERSPROCENT") == ("y",)
    assert taxonomy.topics_for("Anne var fraværende") == ("y",)
    assert taxonomy.topics_for("Sygefravær") == ()


@pytest.mark.parametrize(
    "document",
    ["topics: []", "topics:\n  x: {keywords: ['a']}", "topics:\n  x: {label: X, keywords: []}"],
    ids=["not-a-mapping", "no-label", "no-keywords"],
)
def test_malformed_topic_taxonomy_is_rejected_naming_the_file(document: str, tmp_path: Path) -> None:
    path = tmp_path / "topics.yml"
    path.write_text(document, encoding="utf-8")

    with pytest.raises(ValueError, match=r"topics\.yml"):
        TopicTaxonomy.load(path)
