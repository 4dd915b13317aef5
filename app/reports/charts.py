"""Horizontal bar charts as data for the SVG macro (templates/macros/charts.html): computed
here once, so pages and the PDF draw the same chart, readable without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.templating import angka

WIDTH = 320  # the viewBox; the SVG scales to its container (width 100%), at most 26rem
LABEL_HEIGHT = 16  # a bar's label sits above it, so long unit names need no side margin
BAR_HEIGHT = 14
GAP = 10
VALUE_ROOM = 52  # right of the longest bar, for its value
LABEL_CHARS = 44


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (drawn as an empty track, shown as "—")
    text: str  # the value as people read it: "66,7%"
    href: str | None = None
    # geometry, filled in by bar_chart()
    y: float = 0
    width: float = 0
    short_label: str = ""


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    value_label: str  # the table's value column, e.g. "Memenuhi 20 JP"
    bars: list[Bar]
    height: float
    track: float  # the length of a full bar (max_value)
    width: int = WIDTH
    label_height: int = LABEL_HEIGHT
    bar_height: int = BAR_HEIGHT


def percent_text(value: float | None) -> str:
    return "—" if value is None else f"{angka(value, 1)}%"


def _short(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def bar_chart(
    *,
    id: str,
    title: str,
    value_label: str,
    bars: list[Bar],
    max_value: float = 100.0,
    width: int = WIDTH,
) -> BarChart:
    """Lay the bars out top to bottom; a bar's length is its value over `max_value`. A wider
    `width` (print) keeps the 12-unit text smaller against the page."""
    track = width - VALUE_ROOM
    chars = LABEL_CHARS * width // WIDTH
    laid = []
    y = 0.0
    for bar in bars:
        share = 0.0 if not bar.value or max_value <= 0 else min(bar.value / max_value, 1.0)
        laid.append(
            Bar(
                bar.label,
                bar.value,
                bar.text,
                bar.href,
                y=y,
                width=round(track * share, 1),
                short_label=_short(bar.label, chars),
            )
        )
        y += LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = max(y - GAP + 2, 1)
    return BarChart(id, title, value_label, laid, height=height, track=track, width=width)
