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
from matplotlib.axes import Axes
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
        figure, axes = _figure(width=7.2, height=3.0, left=0.55, right=0.15, top=0.45, bottom=0.75)
        xs = list(range(len(months)))
        for colour, line in zip(COLOURS, series, strict=False):
            ys = [math.nan if v is None else float(v) for v in line.values]
            axes.plot(xs, ys, marker="o", markersize=3.5, linewidth=2, color=colour, label=_short(line.label))
        axes.set_xticks(xs, [month_label(m, lang) for m in months], rotation=45, ha="right")
        axes.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))  # whole days: no "2,5" shown as "3"
        axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: number(y, lang, 0)))
        axes.set_ylim(bottom=0)
        axes.grid(axis="y", color="#e4e7eb")
        _legend(axes, len(series))
        return _svg(figure, chart_id)


def dimension_profile(dimensions: Sequence[str], series: Sequence[Series], lang: Lang, chart_id: str) -> str:
    """Score 0–100 per dimension: grouped horizontal bars; a suppressed score has no bar."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]
        rows = max(len(dimensions), 1)
        figure, axes = _figure(width=7.2, height=0.75 + 0.4 * rows, left=1.6, right=0.2, top=0.45, bottom=0.3)
        bar = 0.8 / max(len(series), 1)
        for at, (colour, group) in enumerate(zip(COLOURS, series, strict=False)):
            ys = [i + (at - (len(series) - 1) / 2) * bar for i in range(len(dimensions))]
            widths = [0.0 if v is None else float(v) for v in group.values]
            axes.barh(ys, widths, height=bar * 0.92, color=colour, label=_short(group.label))
        axes.set_yticks(range(len(dimensions)), [_short(d, 24) for d in dimensions])
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: number(x, lang, 0)))
        axes.grid(axis="x", color="#e4e7eb")
        _legend(axes, len(series))
        return _svg(figure, chart_id)


def _figure(
    *, width: float, height: float, left: float, right: float, top: float, bottom: float
) -> tuple[Figure, Axes]:
    """A figure with fixed margins (inches): laid out once, drawn once (no tight bounding box,
    which draws every chart twice)."""
    figure = plt.figure(figsize=(width, height))
    box = (left / width, bottom / height, 1 - (left + right) / width, 1 - (top + bottom) / height)
    return figure, figure.add_axes(box)


def _legend(axes: Axes, entries: int) -> None:
    axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=max(entries, 1), frameon=False)


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(figure: Figure, chart_id: str) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
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
