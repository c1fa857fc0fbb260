"""The report's charts, drawn with matplotlib as SVG to be placed inline in the page.

Text is drawn as paths (``svg.fonttype = path``): the page needs no font, local or remote. No
mathtext (``$`` in a unit's name stays a dollar sign), no date or random ids in the output (the
same figures give the same bytes), and every id in a chart gets the chart's own prefix so two
charts in one page cannot share one.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from culture_warehouse.leader_report.language import Lang, month_label, number

COLOURS = ("#1f5f8b", "#9aa5b1", "#e08a2e")  # the unit, its parent, the institution
STYLE: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "culture-report",
    "text.parse_math": False,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | float | None]


def absence_trend(months: Sequence[dt.date], series: Sequence[Series], lang: Lang, chart_id: str) -> str:
    """Sick days per FTE month by month: one line per unit; a suppressed month is a gap."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]
        figure, axes = plt.subplots(figsize=(7.2, 2.8))
        xs = list(range(len(months)))
        for colour, line in zip(COLOURS, series, strict=False):
            ys = [math.nan if v is None else float(v) for v in line.values]
            axes.plot(xs, ys, marker="o", markersize=3.5, linewidth=2, color=colour, label=line.label)
        axes.set_xticks(xs, [month_label(m, lang) for m in months], rotation=45, ha="right")
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))  # whole days: no "2,5" shown as "3"
        axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: number(y, lang, 0)))
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", color="#e4e7eb")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return _svg(figure, chart_id)


def dimension_profile(dimensions: Sequence[str], series: Sequence[Series], lang: Lang, chart_id: str) -> str:
    """Score 0–100 per dimension: grouped horizontal bars; a suppressed score has no bar."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]
        height = 0.8 + 0.55 * max(len(dimensions), 1)
        figure, axes = plt.subplots(figsize=(7.2, height))
        bar = 0.8 / max(len(series), 1)
        for at, (colour, group) in enumerate(zip(COLOURS, series, strict=False)):
            ys = [i + (at - (len(series) - 1) / 2) * bar for i in range(len(dimensions))]
            widths = [0.0 if v is None else float(v) for v in group.values]
            axes.barh(ys, widths, height=bar * 0.92, color=colour, label=group.label)
        axes.set_yticks(range(len(dimensions)), list(dimensions))
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: number(x, lang, 0)))
        axes.grid(axis="x", color="#e4e7eb")
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return _svg(figure, chart_id)


def _svg(figure: Figure, chart_id: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.DOTALL)
    # The page's stylesheet sizes the chart to its column; the viewBox keeps its proportions.
    text = re.sub(r'^<svg ([^>]*?)width="[^"]*" height="[^"]*" ', r"<svg \1", text, count=1)
    prefix = re.sub(r"[^A-Za-z0-9_-]", "_", chart_id) + "-"
    text = re.sub(r'\bid="', f'id="{prefix}', text)
    text = text.replace('href="#', f'href="#{prefix}').replace("url(#", f"url(#{prefix}")
    return text.replace("<svg ", '<svg role="img" ', 1)
