"""Build the static site: ``index.html`` for the institution, ``units/<code>.html`` per current unit.

One function, :func:`build_report`, is what ``culture report`` and the ``culture_report`` DAG
call. The pages are self-contained: the stylesheet is in the page, the charts are inline SVG
with their text as paths, and no page loads anything (no script, font, image or link to fetch).
Templates are Jinja2 with autoescaping on, so a unit's name is text, never markup.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from culture_warehouse.leader_report import charts
from culture_warehouse.leader_report.language import (
    LANGUAGES,
    Lang,
    Shown,
    change,
    dimension_label,
    figure,
    long_date,
    month_label,
    word,
    yes_no,
)
from culture_warehouse.leader_report.marts import Marts, ReportRefused, Row, Unit, read_marts


@dataclass(frozen=True)
class ReportSite:
    out: Path
    index: Path
    unit_pages: dict[str, Path]
    lang: Lang

    def summary(self) -> str:
        return f"culture report: {self.index} and {len(self.unit_pages)} unit pages in {self.out / 'units'}"


def build_report(dsn: str | None = None, out: Path | None = None, lang: str | None = None) -> ReportSite:
    """Read the published marts as the BI role and write the site into ``out``.

    Defaults, for the DAG and the CLI alike: the warehouse of ``CULTURE_REPORT_DSN`` (a BI login),
    else the night's own (``CULTURE_WAREHOUSE_DSN``, the Airflow connection or the embedded one);
    the folder ``CULTURE_REPORT_DIR`` (``.culture/report``); the language ``CULTURE_REPORT_LANG`` (da).
    """
    from culture_warehouse.config import report_dir, report_language
    from culture_warehouse.warehouse import resolve_dsn

    language = lang or report_language()
    if language not in LANGUAGES:
        raise ReportRefused(f"no such language: {language!r} (da or en)")
    dsn = dsn or os.environ.get("CULTURE_REPORT_DSN") or resolve_dsn(None)
    return write_site(read_marts(dsn), Path(out or report_dir()), cast(Lang, language))


PAGES_PER_PROCESS = 200
"""Below this many unit pages per process, starting more processes costs more than it saves (a
page takes about 0.15 s of CPU, a fresh process about 1 s to import matplotlib)."""


def write_site(marts: Marts, out: Path, lang: Lang, processes: int | None = None) -> ReportSite:
    """Write every current unit's page, then the index; pages of units no longer current go.

    A large organisation's pages are drawn by several processes (``processes``, default: the
    cores, one per 200 pages), each handed the publication once; the pages are the same bytes.
    """
    units_dir = out / "units"
    units_dir.mkdir(parents=True, exist_ok=True)
    units = marts.in_tree_order()
    written = {unit.code: units_dir / page_name(unit.code) for unit in units}
    if processes is None:
        processes = min(os.cpu_count() or 1, len(units) // PAGES_PER_PROCESS)
    codes = [unit.code for unit in units]
    if processes > 1:
        chunks = [codes[at::processes] for at in range(processes)]
        context = multiprocessing.get_context("spawn")  # no fork of a threaded Airflow task
        with ProcessPoolExecutor(
            processes, mp_context=context, initializer=_start_worker, initargs=(marts, lang, units_dir)
        ) as pool:
            list(pool.map(_write_unit_pages, chunks))
    else:
        _start_worker(marts, lang, units_dir)
        _write_unit_pages(codes)
    for stale in units_dir.glob("*.html"):  # units no longer current
        if stale not in written.values():
            stale.unlink()
    index = out / "index.html"
    _write(index, Pages(marts, lang).index_page())
    return ReportSite(out=out, index=index, unit_pages=written, lang=lang)


_worker: dict[str, Any] = {}


def _start_worker(marts: Marts, lang: Lang, units_dir: Path) -> None:
    _worker.update(marts=marts, pages=Pages(marts, lang), units_dir=units_dir)


def _write_unit_pages(codes: list[str]) -> int:
    marts: Marts = _worker["marts"]
    pages: Pages = _worker["pages"]
    for code in codes:
        _write(_worker["units_dir"] / page_name(code), pages.unit_page(marts.units[code]))
    return len(codes)


def page_name(code: str) -> str:
    """``units/<code>.html``; a code that is not a plain file name gets a name of its own."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,100}", code) and ".." not in code:
        return f"{code}.html"
    return "unit-" + hashlib.sha256(code.encode()).hexdigest()[:16] + ".html"


def _write(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


_environment = Environment(
    loader=PackageLoader("culture_warehouse.leader_report", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Column:
    """One unit a figure is shown for: the unit itself, its parent or the institution."""

    role: str
    unit: Unit
    row: Row | None


@dataclass(frozen=True)
class Cell:
    figure: str
    unit: str
    shown: Shown


class Pages:
    def __init__(self, marts: Marts, lang: Lang) -> None:
        self.marts = marts
        self.lang = lang

    # --- labels

    def label(self, code: str) -> str:
        catalogue = self.marts.labels.get(code)
        if catalogue and catalogue.get(self.lang):
            return catalogue[self.lang]
        return word(code, self.lang)

    def dimension(self, dimension: str) -> str:
        catalogue = self.marts.labels.get(f"{dimension}_score")
        if catalogue and catalogue.get(self.lang):
            return re.sub(r"\s*\((score)\)$", "", catalogue[self.lang])
        return dimension_label(dimension, self.lang)

    # --- the units a page compares

    def columns(self, unit: Unit) -> list[Column]:
        own_role = "this_unit" if self.marts.parent(unit) is not None else "institution"
        columns = [Column(own_role, unit, self.marts.scorecard.get(unit.code))]
        parent = self.marts.parent(unit)
        if parent is not None:
            columns.append(Column("parent", parent, self.marts.scorecard.get(parent.code)))
        institution = self.marts.institution(unit)
        if institution is not None and institution.code not in {c.unit.code for c in columns}:
            columns.append(Column("institution", institution, self.marts.scorecard.get(institution.code)))
        return columns

    # --- cells

    def mtu(self, code: str, row: Row | None, unit: str) -> Cell:
        if row is None or row.get("mtu_survey_id") is None:
            return Cell(code, unit, Shown(word("no_data", self.lang), is_figure=False))
        decimals = 0 if code == "mtu_n_respondents" else 1
        suppressed = False if code == "mtu_n_respondents" else row["mtu_suppressed"]
        suffix = " %" if code.endswith("_pct") else ""
        shown = figure(row.get(code), self.lang, suppressed=suppressed, decimals=decimals, suffix=suffix)
        return Cell(code, unit, shown)

    def mtu_change(self, code: str, row: Row | None, unit: str) -> Cell:
        key = f"{code}_change"
        if row is None or row.get("mtu_survey_id") is None:
            return Cell(key, unit, Shown(word("no_data", self.lang), is_figure=False))
        previous = self.marts.previous_round.get(row["org_unit_code"])
        has_previous = previous is not None and previous["mtu_n_respondents"] is not None
        either_suppressed = bool(row["mtu_suppressed"]) or bool(
            has_previous and previous and previous["mtu_suppressed"]
        )
        value: Decimal | None = None
        if code == "trust_index":
            value = row["tillid_delta"]  # the mart's own delta: tillid this round minus the previous
        elif has_previous and not either_suppressed and previous is not None:
            now, then = row.get(code), previous.get(code)
            value = None if now is None or then is None else Decimal(now) - Decimal(then)
        shown = change(value, self.lang, suppressed=either_suppressed, has_previous=has_previous)
        return Cell(key, unit, shown)

    def absence_12m(self, row: Row | None, unit: str) -> Cell:
        code = "sick_days_per_fte_12m"
        if row is None:
            return Cell(code, unit, Shown(word("no_data", self.lang), is_figure=False))
        shown = figure(
            row.get(code), self.lang, suppressed=row["absence_suppressed"], reason="too_few_employees"
        )
        return Cell(code, unit, shown)

    def count(self, code: str, row: Row | None, unit: str) -> Cell:
        value = None if row is None else row.get(code)
        return Cell(code, unit, figure(value, self.lang, suppressed=False, decimals=0))

    def followed_up(self, row: Row | None, unit: str) -> Cell:
        value = None if row is None or row.get("mtu_survey_id") is None else row.get("mtu_followed_up")
        return Cell("mtu_followed_up", unit, yes_no(value, self.lang))

    # --- sections

    def headline(self, columns: Sequence[Column]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for code in ("trust_index", "social_capital_index", "enps"):
            rows.append(
                {
                    "label": self.label(code),
                    "cells": [self.mtu(code, c.row, c.unit.code) for c in columns],
                    "changes": [self.mtu_change(code, c.row, c.unit.code) for c in columns],
                }
            )
        for code in ("response_rate_pct", "mtu_n_respondents"):
            rows.append(
                {
                    "label": self.label(code),
                    "cells": [self.mtu(code, c.row, c.unit.code) for c in columns],
                    "changes": None,
                }
            )
        return rows

    def follow_up(self, columns: Sequence[Column]) -> list[dict[str, Any]]:
        return [
            {"label": self.label(code), "cells": [self.count(code, c.row, c.unit.code) for c in columns]}
            for code in ("apv_open_findings", "apv_overdue_actions", "committee_meetings_12m")
        ] + [
            {
                "label": word("mtu_followed_up", self.lang),
                "cells": [self.followed_up(c.row, c.unit.code) for c in columns],
            }
        ]

    def profile(self, columns: Sequence[Column], chart_id: str) -> dict[str, Any]:
        survey = columns[0].row.get("mtu_survey_id") if columns[0].row else None
        results = {
            c.unit.code: {r.dimension: r for r in self.marts.dimensions.get((str(survey), c.unit.code), [])}
            for c in columns
        }
        dimensions = sorted({d for by_dimension in results.values() for d in by_dimension})
        if not survey or not dimensions:
            return {"survey": survey, "rows": [], "svg": None}
        rows = []
        for dimension in dimensions:
            cells = []
            for c in columns:
                result = results[c.unit.code].get(dimension)
                shown = (
                    Shown(word("no_data", self.lang), is_figure=False)
                    if result is None
                    else figure(result.score, self.lang, suppressed=result.suppressed)
                )
                cells.append(Cell(f"{dimension}_score", c.unit.code, shown))
            rows.append({"label": self.dimension(dimension), "cells": cells})
        series = [
            charts.Series(
                c.unit.name,
                [
                    None if r is None or r.suppressed else r.score
                    for r in (results[c.unit.code].get(d) for d in dimensions)
                ],
            )
            for c in columns
        ]
        svg = charts.dimension_profile([self.dimension(d) for d in dimensions], series, self.lang, chart_id)
        return {"survey": survey, "rows": rows, "svg": svg}

    def absence(self, columns: Sequence[Column], chart_id: str) -> dict[str, Any]:
        months = self.marts.absence_months
        rows = []
        series = []
        for c in columns:
            by_month = {m.month_start: m for m in self.marts.absence.get(c.unit.code, [])}
            series.append(
                charts.Series(
                    c.unit.name,
                    [
                        None if (m := by_month.get(month)) is None or m.suppressed else m.sick_days_per_fte
                        for month in months
                    ],
                )
            )
        for at, month in enumerate(months):
            cells = []
            for c in columns:
                m = next((x for x in self.marts.absence.get(c.unit.code, []) if x.month_start == month), None)
                shown = (
                    Shown(word("no_data", self.lang), is_figure=False)
                    if m is None
                    else figure(
                        m.sick_days_per_fte, self.lang, suppressed=m.suppressed, reason="too_few_employees"
                    )
                )
                cells.append(Cell(f"sick_days_per_fte_{month:%Y_%m}", c.unit.code, shown))
            rows.append({"label": month_label(month, self.lang), "cells": cells, "at": at})
        svg = charts.absence_trend(months, series, self.lang, chart_id) if months else None
        twelve = [self.absence_12m(c.row, c.unit.code) for c in columns]
        return {
            "rows": rows,
            "svg": svg,
            "twelve": twelve,
            "twelve_label": self.label("sick_days_per_fte_12m"),
        }

    # --- pages

    def common(self) -> dict[str, Any]:
        built = self.marts.built_for_night
        return {
            "lang": self.lang,
            "w": lambda key: word(key, self.lang),
            "period_end": long_date(self.marts.period_end, self.lang),
            "built": long_date(built, self.lang) if built else None,
        }

    def unit_page(self, unit: Unit) -> str:
        columns = self.columns(unit)
        return _environment.get_template("unit.html").render(
            **self.common(),
            unit=unit,
            columns=[
                {"role": word(c.role, self.lang), "unit": c.unit, "page": page_name(c.unit.code)}
                for c in columns
            ],
            headline=self.headline(columns),
            profile=self.profile(columns, f"profile-{unit.code}"),
            absence=self.absence(columns, f"absence-{unit.code}"),
            follow_up=self.follow_up(columns),
            children=[{"unit": u, "page": page_name(u.code)} for u in self.marts.children(unit)],
            root="../",
        )

    def index_page(self) -> str:
        institutions = []
        for root in self.marts.roots():
            columns = self.columns(root)
            units = []
            for unit in self.marts.in_tree_order():
                if self.marts.institution(unit) is not root:
                    continue
                row = self.marts.scorecard.get(unit.code)
                units.append(
                    {
                        "unit": unit,
                        "page": "units/" + page_name(unit.code),
                        "depth": unit.path.count("/"),
                        "cells": [
                            self.mtu("trust_index", row, unit.code),
                            self.mtu("social_capital_index", row, unit.code),
                            self.mtu("enps", row, unit.code),
                            self.absence_12m(row, unit.code),
                            self.count("apv_overdue_actions", row, unit.code),
                            self.followed_up(row, unit.code),
                        ],
                    }
                )
            institutions.append(
                {
                    "unit": root,
                    "page": "units/" + page_name(root.code),
                    "headline": self.headline(columns),
                    "columns": [{"role": word(c.role, self.lang), "unit": c.unit} for c in columns],
                    "absence": self.absence(columns, f"index-absence-{root.code}"),
                    "profile": self.profile(columns, f"index-profile-{root.code}"),
                    "follow_up": self.follow_up(columns),
                    "units": units,
                }
            )
        overview_heads = [
            self.label("trust_index"),
            self.label("social_capital_index"),
            self.label("enps"),
            self.label("sick_days_per_fte_12m"),
            self.label("apv_overdue_actions"),
            word("mtu_followed_up", self.lang),
        ]
        return _environment.get_template("index.html").render(
            **self.common(), institutions=institutions, overview_heads=overview_heads, root=""
        )
