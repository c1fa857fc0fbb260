"""minutes/: SU, MED and AMU meetings over two years, as .md, .txt, .docx and .pdf.

Committees sit at institution and department level. Some SU/MED committees take the latest MTU
round up within 120 days after its last submission, others later or never, so `mtu_followed_up`
differs between units. Actions get ids, and later meetings follow them up.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from culture_dev.generate.documents import Block, Document, write_docx, write_pdf
from culture_dev.generate.formats import danish_long_date, date_text
from culture_dev.generate.names import (
    ACTION_OWNERS,
    COMMITTEE_ROLES,
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
)
from culture_dev.generate.orgtree import OrgTree

COMMITTEE_LABELS = {
    "SU": ("SU", "Samarbejdsudvalg"),
    "MED": ("MED", "MED-udvalg"),
    "AMU": ("AMU", "Arbejdsmiljøudvalg"),
}
FORMAT_CYCLE = ("md", "txt", "docx", "md", "txt", "pdf")
FORMAT_CAPS = {"docx": 60, "pdf": 40}
"""Word and PDF are slow to write; beyond these counts meetings fall back to text formats."""
FOLLOW_UP_DAYS = 120

# title, body, decision, action
_Topic = tuple[str, str, str, str]
COOPERATION_TOPICS: tuple[_Topic, ...] = (
    ("Budget {next_year}", "Orientering om budgettet for næste år og de økonomiske rammer.",
     "Udvalget tog orienteringen til efterretning.", "Budgetudkast sendes til udvalget"),
    ("Organisationsændring", "Drøftelse af den kommende omorganisering af afdelingen.",
     "Medarbejderne inddrages i arbejdsgrupper.", "Tidsplan for omorganiseringen udarbejdes"),
    ("Kompetenceudvikling", "Drøftelse af kursusbudget og kompetenceudvikling efter MUS.",
     "Der afsættes midler til fælles kurser.", "Oversigt over kompetencebehov samles"),
    ("Rekruttering og ansættelser", "Status på ledige stillinger og rekruttering.",
     "Stillingerne slås op.", "Stillingsopslag udarbejdes"),
    ("Trivsel i hverdagen", "Drøftelse af trivsel og arbejdsglæde i enheden.",
     "Emnet tages op på næste personalemøde.", "Forslag til trivselsinitiativer indsamles"),
    ("Sygefravær", "Status på sygefraværet i det seneste kvartal.",
     "Ledelsen følger op på længerevarende fravær.", "Fraværsstatistik fremlægges"),
    ("Tillid og samarbejde", "Drøftelse af tillid mellem ledelse og medarbejdere.",
     "Der holdes et fælles seminar.", "Seminar om tillid planlægges"),
    ("Anerkendelse og feedback", "Hvordan giver vi hinanden anerkendelse og feedback?",
     "Feedback bliver et fast punkt på teammøder.", "Model for feedback beskrives"),
    ("Hjemmearbejde", "Erfaringer med den nye retningslinje for hjemmearbejde.",
     "Retningslinjen fastholdes.", "Retningslinjen evalueres"),
    ("Nyt sagssystem", "Orientering om implementering af nyt sagssystem.",
     "Udvalget tog orienteringen til efterretning.", "Plan for oplæring udsendes"),
)  # fmt: skip
WORK_ENVIRONMENT_TOPICS: tuple[_Topic, ...] = (
    ("APV-handlingsplan", "Status på handlingsplanen fra arbejdspladsvurderingen.",
     "Handlingsplanen følges.", "Status på APV-punkter indhentes"),
    ("Arbejdsulykker og nærved-hændelser", "Gennemgang af anmeldte ulykker i perioden.",
     "Der laves en skiltning ved trappen.", "Skilte bestilles"),
    ("Indeklima", "Klager over temperatur og udluftning i kontorerne.",
     "Ventilationen efterses.", "Eftersyn af ventilation bestilles"),
    ("Sygefravær", "Sygefraværet i afdelingen er steget.", "Ledelsen følger op.",
     "Sygefraværsstatistik fremlægges"),
    ("Trivsel og arbejdsmiljø", "Drøftelse af det psykiske arbejdsmiljø og arbejdspres.",
     "Arbejdspres drøftes i alle teams.", "Plan for spidsbelastninger udarbejdes"),
    ("Ergonomi", "Gennemgang af arbejdspladsernes indretning.", "Der indkøbes nye stole.",
     "Ergonomisk gennemgang bestilles"),
    ("Årlig arbejdsmiljødrøftelse", "Forberedelse af den årlige arbejdsmiljødrøftelse.",
     "Datoen fastlægges.", "Program for drøftelsen udsendes"),
)  # fmt: skip


@dataclass
class _Committee:
    kind: str
    unit: int
    climate: float
    members: list[tuple[str, str]]
    follows_up: bool
    dates: list[dt.date] = field(default_factory=list)
    mtu_meeting: dt.date | None = None


@dataclass(frozen=True)
class MinutesPlan:
    """What the meetings need to know from the rest of the drop."""

    seed: int
    first_day: dt.date
    last_day: dt.date
    survey_year: int
    last_submission: dt.date
    cpr_pool: tuple[str, ...]


def write_minutes(folder: Path, tree: OrgTree, plan: MinutesPlan) -> tuple[dict[str, int], dict[str, Any]]:
    rng = random.Random(f"{plan.seed}:minutes")
    committees = _committees(rng, tree)
    for committee in committees:
        _schedule(rng, committee, plan)
    written: dict[str, int] = {}
    cprs: list[str] = []
    format_counts = {"md": 0, "txt": 0, "docx": 0, "pdf": 0}
    meeting_number = 0
    for index, committee in enumerate(committees):
        writer = _MeetingWriter(random.Random(f"{plan.seed}:committee:{index}"), tree, committee, plan)
        for date in committee.dates:
            with_cpr = (index == 0 and date == committee.dates[0]) or writer.rng.random() < 0.04
            document, cpr = writer.meeting(date, with_cpr)
            if cpr:
                cprs.append(cpr)
            extension = _format_for(meeting_number, format_counts)
            name = _file_name(meeting_number, committee, tree, date, extension)
            _save(folder / name, document, extension, date)
            written[f"minutes/{name}"] = 1
            meeting_number += 1
    cooperation = [c for c in committees if c.kind != "AMU"]
    truth = {
        "meetings": meeting_number,
        "mtu_followed_up": sorted(tree.units[c.unit].code for c in cooperation if c.follows_up),
        "mtu_not_followed_up": sorted(tree.units[c.unit].code for c in cooperation if not c.follows_up),
        "cprs": cprs,
    }
    return written, truth


def _committees(rng: random.Random, tree: OrgTree) -> list[_Committee]:
    """SU (or MED) and AMU for each institution, a local MED for each department and an AMU for
    some; about 60 % of the cooperation committees follow up on the survey in time."""
    plans: list[tuple[str, int]] = []
    for number, institution in enumerate(tree.institutions):
        plans += [("SU" if number % 2 == 0 else "MED", institution.root), ("AMU", institution.root)]
        for unit in tree.units[institution.root].children:
            plans.append(("MED", unit))
            if rng.random() < 0.4:
                plans.append(("AMU", unit))
    committees: list[_Committee] = []
    for kind, unit in plans:
        size = rng.randint(5, 8)
        members = [(_person_name(rng), role) for role in COMMITTEE_ROLES[:size]]
        follows = kind != "AMU" and rng.random() < 0.6
        committees.append(_Committee(kind, unit, tree.units[unit].climate, members, follows))
    cooperation = [c for c in committees if c.kind != "AMU"]
    if len(cooperation) >= 2:
        cooperation[0].follows_up, cooperation[1].follows_up = True, False
    return committees


def _person_name(rng: random.Random) -> str:
    first = rng.choice(FEMALE_FIRST_NAMES if rng.random() < 0.5 else MALE_FIRST_NAMES)
    return f"{first} {rng.choice(LAST_NAMES)}"


def _schedule(rng: random.Random, committee: _Committee, plan: MinutesPlan) -> None:
    """Roughly quarterly meetings on weekdays; a follower gets one within 120 days of the survey."""
    day = plan.first_day + dt.timedelta(days=rng.randint(0, 40))
    dates: list[dt.date] = []
    while day <= plan.last_day:
        dates.append(_weekday(day))
        day += dt.timedelta(days=rng.randint(70, 110))
    window_start = plan.last_submission + dt.timedelta(days=14)
    window_end = plan.last_submission + dt.timedelta(days=FOLLOW_UP_DAYS - 10)
    in_window = [d for d in dates if window_start <= d <= window_end]
    if committee.follows_up:
        if not in_window:
            extra = _weekday(plan.last_submission + dt.timedelta(days=rng.randint(20, 100)))
            if extra <= plan.last_day:
                dates.append(extra)
                in_window = [extra]
        committee.mtu_meeting = in_window[0] if in_window else None
        committee.follows_up = committee.mtu_meeting is not None
    elif committee.kind != "AMU":
        late = plan.last_submission + dt.timedelta(days=FOLLOW_UP_DAYS + 5)
        later = [d for d in dates if d > late]
        committee.mtu_meeting = later[0] if later and rng.random() < 0.5 else None
    committee.dates = sorted({d for d in dates if d <= plan.last_day})


def _weekday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


class _MeetingWriter:
    """Writes the meetings of one committee in date order, carrying open actions forward."""

    def __init__(self, rng: random.Random, tree: OrgTree, committee: _Committee, plan: MinutesPlan) -> None:
        self.rng = rng
        self.tree = tree
        self.committee = committee
        self.plan = plan
        self.open_actions: list[str] = []
        self.action_numbers: dict[int, int] = {}

    def meeting(self, date: dt.date, with_cpr: bool) -> tuple[Document, str | None]:
        rng = self.rng
        style = rng.choice(("punkt", "number", "heading"))
        blocks = [*self._title(), *self._header(date)]
        items = self._items(date)
        cpr = rng.choice(self.plan.cpr_pool) if with_cpr and self.plan.cpr_pool else None
        for number, (title, lines) in enumerate(items, start=1):
            if cpr and number == max(1, len(items) - 1):
                lines = [*lines, f"Sagen vedrørende medarbejder {cpr} blev drøftet."]
            blocks.append(Block("blank"))
            blocks.append(self._item_heading(style, number, title))
            blocks.extend(Block("line", line) for line in lines)
        return Document(tuple(blocks)), cpr

    def _title(self) -> list[Block]:
        label = self.committee.kind
        title = self.rng.choice((f"Referat af {label}-møde", "Referat", f"Mødereferat {label}"))
        return [Block("title", title), Block("blank")]

    def _header(self, date: dt.date) -> list[Block]:
        rng = self.rng
        committee = self.committee
        unit = self.tree.units[committee.unit]
        label = rng.choice(COMMITTEE_LABELS[committee.kind])
        unit_text = (
            unit.code if rng.random() < 0.5 else f"{self.tree.name_at(unit.index, date)} ({unit.code})"
        )
        written_date = rng.choice((date_text(date, "dmy_dot"), date.isoformat(), danish_long_date(date)))
        absent_chance = min(0.3, max(0.02, 0.1 - 0.04 * committee.climate))
        absent = [m for m in committee.members if rng.random() < absent_chance][:3]
        present = [m for m in committee.members if m not in absent]
        referent = rng.choice([name for name, role in present if role != "leder"] or [present[0][0]])
        spacing = "  " if rng.random() < 0.15 else " "
        present_key = "Til Stede:" if rng.random() < 0.15 else "Til stede:"
        lines = [
            f"Udvalg:{spacing}{label}",
            f"Enhed:{spacing}{unit_text}",
            f"Dato:{spacing}{written_date}",
            f"{present_key} " + ", ".join(f"{name} ({role})" for name, role in present),
        ]
        if absent:
            lines.append("Afbud: " + ", ".join(f"{name} ({role})" for name, role in absent))
        lines.append(f"Referent: {referent}")
        return [Block("line", line) for line in lines]

    def _item_heading(self, style: str, number: int, title: str) -> Block:
        if style == "heading":
            return Block("heading", f"{number}. {title}")
        if style == "punkt":
            return Block("line", f"Punkt {number} {title}")
        return Block("line", f"{number}. {title}")

    def _items(self, date: dt.date) -> list[tuple[str, list[str]]]:
        rng = self.rng
        items: list[tuple[str, list[str]]] = []
        if rng.random() < 0.7:
            items.append(("Godkendelse af dagsorden", ["Beslutning: Dagsordenen blev godkendt."]))
        follow_ups = self._follow_ups()
        if follow_ups:
            items.append(("Opfølgning på handlinger", follow_ups))
        if self.committee.mtu_meeting == date:
            items.append(self._survey_item(date))
        pool = WORK_ENVIRONMENT_TOPICS if self.committee.kind == "AMU" else COOPERATION_TOPICS
        for title, body, decision, action in rng.sample(pool, rng.randint(1, 3)):
            lines = [body]
            if rng.random() < 0.6:
                lines.append(f"Beslutning: {decision}")
            if rng.random() < 0.35:
                lines.append(self._action(date, action))
            items.append((title.format(next_year=date.year + 1), lines))
        if rng.random() < 0.6:
            items.append(("Eventuelt", ["Intet."]))
        return items

    def _survey_item(self, date: dt.date) -> tuple[str, list[str]]:
        year = self.plan.survey_year
        title = self.rng.choice((f"Opfølgning på MTU {year}", f"Resultater af MTU {year}"))
        return title, [
            "Resultaterne af medarbejdertrivselsundersøgelsen blev gennemgået.",
            "Beslutning: Der nedsættes en arbejdsgruppe, som udarbejder en handlingsplan.",
            self._action(date, "Arbejdsgruppen fremlægger forslag til handlingsplan", with_id=True),
        ]

    def _action(self, date: dt.date, text: str, with_id: bool = False) -> str:
        rng = self.rng
        due = date + dt.timedelta(days=rng.randint(30, 150))
        owner = rng.choice(ACTION_OWNERS) if rng.random() < 0.85 else rng.choice(self.committee.members)[0]
        ending = f"Ansvarlig: {owner}. Frist: {date_text(due, 'dmy_dot')}"
        if not with_id and rng.random() < 0.15:
            return f"Handling: {text}. {ending}"
        number = self.action_numbers.get(date.year, 0) + 1
        self.action_numbers[date.year] = number
        action_id = f"H-{date.year}-{number:02d}"
        self.open_actions.append(action_id)
        return f"Handling [{action_id}]: {text}. {ending}"

    def _follow_ups(self) -> list[str]:
        lines: list[str] = []
        still_open: list[str] = []
        for action_id in self.open_actions:
            draw = self.rng.random()
            if draw < 0.55:
                lines.append(f"Opfølgning {action_id}: afsluttet")
            else:
                if draw < 0.8:
                    lines.append(f"Opfølgning {action_id}: i gang")
                still_open.append(action_id)
        self.open_actions = still_open
        return lines


def _format_for(meeting_number: int, counts: dict[str, int]) -> str:
    extension = FORMAT_CYCLE[meeting_number % len(FORMAT_CYCLE)]
    if counts[extension] >= FORMAT_CAPS.get(extension, 1 << 30):
        extension = "md" if meeting_number % 2 else "txt"
    counts[extension] += 1
    return extension


def _file_name(
    meeting_number: int, committee: _Committee, tree: OrgTree, date: dt.date, extension: str
) -> str:
    code = tree.units[committee.unit].code
    kind = committee.kind
    variant = meeting_number % 3
    if variant == 0:
        return f"{kind}_{code}_{date.isoformat()}.{extension}"
    if variant == 1:
        return f"{kind.lower()}_{code}_{date:%Y%m%d}.{extension}"
    return f"Referat_{kind}-møde_{code}_{date:%d-%m-%Y}.{extension}"


def _save(path: Path, document: Document, extension: str, date: dt.date) -> None:
    stamp = dt.datetime.combine(date, dt.time(16, 0))
    if extension == "docx":
        write_docx(path, document, stamp)
    elif extension == "pdf":
        write_pdf(path, document, stamp)
    else:
        path.write_text(document.as_text(markdown=extension == "md"), encoding="utf-8")
