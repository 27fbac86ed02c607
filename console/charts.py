"""Bar charts drawn on the server as SVG: no JavaScript, readable by screen readers.

The SVG scales to its container (a viewBox, width 100%); its <title> names it and its
<desc> says the values in words, so a screen reader gets the same facts as the eye.
"""

from __future__ import annotations

import hashlib
from html import escape

WIDTH, HEIGHT = 640, 240
TOP, BOTTOM, LEFT = 24, 40, 8  # room for the value labels above, the bar labels below
MAX_LABELS = 12  # more bars than this: only every n-th bar, and the latest, are labelled


def bar_chart(points: list[tuple[str, float]], title: str, unit: str = "") -> str:
    """An accessible SVG bar chart of (label, value) points, in their order."""
    chart_id = "chart-" + hashlib.sha1(repr((points, title)).encode()).hexdigest()[:10]
    top = max((value for _, value in points), default=0) or 1
    slot = (WIDTH - LEFT) / max(len(points), 1)
    label_every = -(-len(points) // MAX_LABELS)
    last = len(points) - 1
    bars = [
        _bar(index, label, value, unit, top, slot, index % label_every == 0 or index == last)
        for index, (label, value) in enumerate(points)
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(describe(points, unit))}</desc>'
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="currentColor"/>{"".join(bars)}</svg>'
    )


def describe(points: list[tuple[str, float]], unit: str = "") -> str:
    """The values in words: "Nessun dato." or the count, the highest, the lowest, the total."""
    if not points:
        return "Nessun dato."
    highest = max(points, key=lambda point: point[1])
    lowest = min(points, key=lambda point: point[1])
    total = sum(value for _, value in points)
    return (
        f"{len(points)} valori. Massimo {_number(highest[1], unit)} ({highest[0]}), "
        f"minimo {_number(lowest[1], unit)} ({lowest[0]}); totale {_number(total, unit)}"
    )


def _bar(
    index: int, label: str, value: float, unit: str, top: float, slot: float, labelled: bool
) -> str:
    plot = HEIGHT - TOP - BOTTOM
    height = plot * max(value, 0) / top
    x, y = LEFT + index * slot, HEIGHT - BOTTOM - height
    centre = x + slot / 2
    text = f"{escape(label)}: {escape(_number(value, unit))}"
    parts = [
        f'<g><title>{text}</title><rect x="{x + slot * 0.1:.1f}" y="{y:.1f}" '
        f'width="{slot * 0.8:.1f}" height="{height:.1f}" fill="currentColor" opacity="0.7"/>'
    ]
    if labelled:
        parts.append(
            f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">'
            f"{escape(_number(value, unit))}</text>"
            f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11">{escape(label)}</text>'
        )
    return "".join(parts) + "</g>"


def _number(value: float, unit: str) -> str:
    """Italian style: 12, 3,5; with the unit after it ("12 %", "3 conversazioni")."""
    shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
    return f"{shown} {unit}".strip()
