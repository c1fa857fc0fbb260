"""The report's two languages: words, numbers and dates as a Danish or an English reader writes them.

Danish is the default: a decimal comma, a full stop between thousands, ``1. oktober 2026``.
A figure is either a number, or a sentence saying why there is none: a suppressed figure says
so ("for få svar") and is never left blank or shown as a number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Lang = Literal["da", "en"]
LANGUAGES: tuple[Lang, ...] = ("da", "en")

MONTHS = {
    "da": (
        "januar", "februar", "marts", "april", "maj", "juni",
        "juli", "august", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip

WORDS: dict[str, dict[Lang, str]] = {
    "title": {"da": "Tillid og resultater", "en": "Trust and results"},
    "subtitle": {
        "da": "Kulturrapport for ledere, bygget fra lagerets publicerede tal",
        "en": "Culture report for leaders, built from the warehouse's published figures",
    },
    "as_of": {"da": "Opgjort pr.", "en": "As of"},
    "quarter_end": {"da": "kvartal til og med", "en": "quarter ending"},
    "built": {"da": "Publiceret af natten", "en": "Published by the night of"},
    "units": {"da": "Enheder", "en": "Units"},
    "unit": {"da": "Enhed", "en": "Unit"},
    "this_unit": {"da": "Enheden", "en": "This unit"},
    "parent": {"da": "Overordnet enhed", "en": "Parent unit"},
    "institution": {"da": "Institutionen", "en": "Institution"},
    "figure": {"da": "Nøgletal", "en": "Figure"},
    "change": {"da": "ændring siden sidste måling", "en": "change since the last round"},
    "trust_index": {"da": "Tillidsindeks", "en": "Trust index"},
    "social_capital_index": {"da": "Social kapital", "en": "Social capital"},
    "enps": {"da": "eNPS", "en": "eNPS"},
    "response_rate_pct": {"da": "Svarprocent", "en": "Response rate"},
    "mtu_n_respondents": {"da": "Besvarelser", "en": "Respondents"},
    "survey": {"da": "Seneste trivselsmåling (MTU)", "en": "Latest wellbeing survey (MTU)"},
    "headline": {"da": "Tillid, social kapital og eNPS", "en": "Trust, social capital and eNPS"},
    "profile": {"da": "MTU-profil pr. dimension", "en": "MTU profile by dimension"},
    "profile_note": {
        "da": "Score 0–100 pr. dimension i seneste måling.",
        "en": "Score 0–100 per dimension in the latest round.",
    },
    "dimension": {"da": "Dimension", "en": "Dimension"},
    "absence": {"da": "Sygefravær de seneste 12 måneder", "en": "Sickness absence over the last 12 months"},
    "absence_note": {
        "da": "Sygedage (egen sygdom) pr. årsværk, måned for måned, omregnet til et helt år.",
        "en": "Days of own illness per full-time person-year, month by month, scaled to a year.",
    },
    "month": {"da": "Måned", "en": "Month"},
    "sick_days_per_fte_12m": {
        "da": "Sygedage pr. årsværk, 12 mdr.",
        "en": "Sick days per FTE, 12 months",
    },
    "follow_up": {"da": "Arbejdsmiljø og opfølgning", "en": "Work environment and follow-up"},
    "apv_open_findings": {"da": "Åbne APV-punkter", "en": "Open APV findings"},
    "apv_overdue_actions": {"da": "APV-handlinger over frist", "en": "Overdue APV actions"},
    "committee_meetings_12m": {
        "da": "Udvalgsmøder (SU/MED/AMU), 12 mdr.",
        "en": "Committee meetings (SU/MED/AMU), 12 months",
    },
    "mtu_followed_up": {
        "da": "MTU fulgt op i SU/MED inden 120 dage",
        "en": "MTU followed up in SU/MED within 120 days",
    },
    "table": {"da": "tabel", "en": "table"},
    "units_below": {"da": "Enheder herunder", "en": "Units below"},
    "change_below": {
        "da": "står under hvert tal.",
        "en": "is shown below each figure.",
    },
    "yes": {"da": "ja", "en": "yes"},
    "no": {"da": "nej", "en": "no"},
    "too_few_responses": {"da": "for få svar", "en": "too few responses"},
    "too_few_employees": {"da": "for få ansatte", "en": "too few employees"},
    "no_data": {"da": "ingen data", "en": "no data"},
    "no_previous": {"da": "ingen tidligere måling", "en": "no earlier round"},
    "no_parent": {"da": "–", "en": "–"},
    "back": {"da": "Til oversigten", "en": "Back to the overview"},
    "language": {"da": "Dansk", "en": "English"},
    "confidentiality": {
        "da": (
            "Tal for for små grupper vises ikke (for få svar eller for få ansatte), så ingen kan"
            " genkendes, heller ikke ved at trække tal fra hinanden. Et tal dækker enheden med alle"
            " dens underenheder."
        ),
        "en": (
            "Figures of groups that are too small are not shown (too few responses or too few"
            " employees), so no one can be recognised, not even by subtracting one figure from"
            " another. A figure covers the unit with all units below it."
        ),
    },
    "leader_of": {"da": "Til lederen af", "en": "For the leader of"},
    "chart_gap": {
        "da": "Et hul i kurven er en måned med for få ansatte.",
        "en": "A gap in a line is a month with too few employees.",
    },
    "chart_suppressed": {
        "da": "Dimensioner uden søjle: for få svar.",
        "en": "Dimensions without a bar: too few responses.",
    },
    "dimension_tillid": {"da": "Tillid", "en": "Trust"},
    "dimension_retfaerdighed": {"da": "Retfærdighed", "en": "Fairness"},
    "dimension_samarbejde": {"da": "Samarbejde", "en": "Cooperation"},
    "dimension_anerkendelse": {"da": "Anerkendelse", "en": "Recognition"},
    "dimension_rolleklarhed": {"da": "Rolleklarhed", "en": "Role clarity"},
    "dimension_ledelse": {"da": "Ledelse", "en": "Leadership"},
    "dimension_laering": {"da": "Læring", "en": "Learning"},
    "dimension_trivsel": {"da": "Trivsel", "en": "Wellbeing"},
    "dimension_arbejdspres": {"da": "Arbejdspres", "en": "Workload"},
    "dimension_engagement": {"da": "Engagement", "en": "Engagement"},
}


def word(key: str, lang: Lang) -> str:
    return WORDS[key][lang]


def dimension_label(dimension: str, lang: Lang) -> str:
    """A survey dimension's name; an unknown dimension keeps its code, capitalised."""
    known = WORDS.get(f"dimension_{dimension}")
    return known[lang] if known else dimension.replace("_", " ").capitalize()


def number(value: float | Decimal | int, lang: Lang, decimals: int = 1) -> str:
    """``1234.56`` → ``1.234,6`` (da) or ``1,234.6`` (en); half away from zero, as people round."""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    text = f"{rounded:,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text.replace("-", "−")


def signed(value: float | Decimal | int, lang: Lang, decimals: int = 1) -> str:
    """A change: ``+2,5``, ``−1,0``, ``±0,0``."""
    text = number(value, lang, decimals)
    if text.lstrip("0,.") == "":
        return "±" + text
    return text if text.startswith("−") else "+" + text


def long_date(day: dt.date, lang: Lang) -> str:
    month = MONTHS[lang][day.month - 1]
    return f"{day.day}. {month} {day.year}" if lang == "da" else f"{day.day} {month} {day.year}"


def month_label(day: dt.date, lang: Lang) -> str:
    """``okt. 2026`` / ``Oct 2026``: short enough for a chart's axis."""
    name = MONTHS[lang][day.month - 1]
    short = name[:3] + ("." if lang == "da" and len(name) > 3 else "")
    return f"{short} {day.year}"


@dataclass(frozen=True)
class Shown:
    """One cell of the report: the text a reader sees, and whether it is a figure or a reason."""

    text: str
    is_figure: bool
    suppressed: bool = False

    @property
    def css(self) -> str:
        return "figure" if self.is_figure else ("suppressed" if self.suppressed else "missing")


def figure(
    value: float | Decimal | int | None,
    lang: Lang,
    *,
    suppressed: bool | None,
    decimals: int = 1,
    suffix: str = "",
    reason: str = "too_few_responses",
) -> Shown:
    """A figure, or why there is none: suppression first, then no data; never a blank cell."""
    if suppressed:
        return Shown(word(reason, lang), is_figure=False, suppressed=True)
    if value is None:
        return Shown(word("no_data", lang), is_figure=False)
    return Shown(number(value, lang, decimals) + suffix, is_figure=True)


def change(
    value: float | Decimal | int | None,
    lang: Lang,
    *,
    suppressed: bool | None,
    has_previous: bool,
    decimals: int = 1,
) -> Shown:
    if suppressed:
        return Shown(word("too_few_responses", lang), is_figure=False, suppressed=True)
    if not has_previous:
        return Shown(word("no_previous", lang), is_figure=False)
    if value is None:
        return Shown(word("no_data", lang), is_figure=False)
    return Shown(signed(value, lang, decimals), is_figure=True)


def yes_no(value: bool | None, lang: Lang) -> Shown:
    if value is None:
        return Shown(word("no_data", lang), is_figure=False)
    return Shown(word("yes" if value else "no", lang), is_figure=True)
