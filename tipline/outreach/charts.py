"""Bar charts drawn on the server as inline SVG (issue 15, point 6): no
JavaScript, no request of their own, nothing from elsewhere.

A chart shows one or more series over the same months, one row of bars per
series, all on one scale so that rows compare. A withheld value is drawn as a
short hatched bar of the same size whatever it hides (its height must not say
what the table does not), and the bar's own title says why. Every chart names
itself and says what it shows (``role="img"`` with ``aria-labelledby`` its
title and description); the figures are in the table that follows it.

Colours are presentation attributes, not ``style=`` (the CSP forbids those),
and meet WCAG 2.2's 3:1 for graphics against the white page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

__all__ = ["Bar", "Series", "bar_chart"]

WIDTH = 360  # the viewBox; the SVG scales to its box (see site.css)
LEFT = 36  # room for the scale's labels
RIGHT = 8
ROW = 52  # bars' height in a chart of several series
SINGLE = 120  # in a chart of one series
NAME = 24  # a series' name above its bars
AXIS = 30  # month numbers and years under the last row
WITHHELD = 10  # the hatched bar's height
INK = "#1a1a1a"
BAR = "#1d4f91"  # 8.6:1 on white
HATCH = "#595959"  # 7:1 on white
GRID = "#767676"  # 4.5:1 on white


@dataclass(frozen=True)
class Bar:
    """One month's bar: ``value`` None is withheld, ``title`` says the month
    and the value (or why it is withheld) in words."""

    value: float | None
    title: str
    tick: str  # under the bar: the month's number
    year: str = ""  # under the tick: the year, on January and the first bar


@dataclass(frozen=True)
class Series:
    name: str
    bars: tuple[Bar, ...]


def bar_chart(
    *, chart_id: str, title: str, description: str, series: Sequence[Series]
) -> SafeString:
    """The SVG of ``series`` (each the same number of bars), labelled by
    ``title`` and ``description`` for screen readers."""
    bars = max((len(s.bars) for s in series), default=0)
    row = SINGLE if len(series) == 1 else ROW
    named = NAME if len(series) > 1 else 0
    height = len(series) * (row + named) + AXIS + 8
    top = _nice(max((b.value or 0 for s in series for b in s.bars), default=0))
    step = (WIDTH - LEFT - RIGHT) / max(bars, 1)
    parts = [
        f'<svg class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="4" height="4" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="4" height="4" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="4" stroke="{HATCH}" stroke-width="2"/>'
        f"</pattern></defs>",
    ]
    y = 4
    for index, one in enumerate(series):
        if named:
            parts.append(_text(0, y + 12, _fit(one.name), anchor="start", size=11))
            y += named
        parts += _row(one, chart_id, y, row, step, top)
        y += row
        if index == len(series) - 1:
            parts += _ticks(one, y, step)
    parts.append("</svg>")
    # Every text above is escaped; the rest is this module's own markup.
    return mark_safe("".join(parts))


def _row(
    series: Series, chart_id: str, y: float, row: float, step: float, top: float
) -> list[str]:
    base = y + row
    parts = [
        f'<line x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - RIGHT}" y2="{base:.1f}" '
        f'stroke="{GRID}" stroke-width="1"/>',
        f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
        f'stroke="{GRID}" stroke-width="0.5" stroke-dasharray="2 3"/>',
        _text(LEFT - 4, y + 4, _number(top), anchor="end", size=10),
        _text(LEFT - 4, base, "0", anchor="end", size=10),
    ]
    width = max(step * 0.7, 2)
    for n, bar in enumerate(series.bars):
        x = LEFT + n * step + (step - width) / 2
        if bar.value is None:
            shape = (
                f'<rect x="{x:.1f}" y="{base - WITHHELD:.1f}" width="{width:.1f}" '
                f'height="{WITHHELD}" fill="url(#{chart_id}-hatch)" '
                f'stroke="{HATCH}" stroke-width="1">'
            )
        else:
            tall = 0 if top == 0 else (row - 2) * bar.value / top
            shape = (
                f'<rect x="{x:.1f}" y="{base - tall:.1f}" width="{width:.1f}" '
                f'height="{tall:.1f}" fill="{BAR}">'
            )
        parts.append(f"{shape}<title>{escape(bar.title)}</title></rect>")
    return parts


def _ticks(series: Series, y: float, step: float) -> list[str]:
    parts = []
    for n, bar in enumerate(series.bars):
        x = LEFT + n * step + step / 2
        parts.append(_text(x, y + 13, bar.tick, size=10))
        if bar.year:
            parts.append(_text(x, y + 26, bar.year, size=10, anchor="start"))
    return parts


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{INK}" '
        f'text-anchor="{anchor}" aria-hidden="true">{escape(text)}</text>'
    )


def _fit(name: str, room: float = WIDTH - 4) -> str:
    """``name`` cut to fit the chart's width at 11 px (the table has it whole):
    about 6 px a Latin letter, 11 px a Chinese character."""
    used = 0.0
    for n, char in enumerate(name):
        used += 11 if ord(char) > 0x2E80 else 6
        if used > room:
            return name[: max(n - 1, 1)] + "…"
    return name


def _nice(value: float) -> float:
    """The top of the scale: 1, 2 or 5 times a power of ten, at least ``value``."""
    if value <= 0:
        return 1
    power = 10.0 ** math.floor(math.log10(value))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= value)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"
