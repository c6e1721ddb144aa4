"""Bar charts drawn on the server as SVG: no script, no outside network, and
they print as sharp as the page."""

import math

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 12, 28
TICKS = 4


def nice_ceiling(value):
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that holds value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _number(value):
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def bar_chart(values, labels, title, unit, label_every=1):
    """An SVG bar chart of the values, one labelled bar each; each bar carries
    its exact figure as a tooltip, and the chart its title for screen readers."""
    values = [float(value or 0) for value in values]
    # A round step between grid lines, of one unit at least: small counts
    # get whole ticks.
    top = nice_ceiling(max([*values, TICKS]) / TICKS) * TICKS
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(values), 1)
    bar = max(slot * 0.7, 1)
    unit = escape(unit)

    # Built as plain strings, every text escaped: a month has a hundred parts.
    parts = []
    for tick in range(TICKS + 1):
        y = TOP + plot_height - plot_height * tick / TICKS
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            f'class="grid"/><text x="{LEFT - 6}" y="{y + 4:.1f}" class="tick" '
            f'text-anchor="end">{_number(top * tick / TICKS)}</text>'
        )
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = plot_height * value / top
        x = LEFT + index * slot + (slot - bar) / 2
        label = escape(label)
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_height - height:.1f}" '
            f'width="{bar:.1f}" height="{height:.1f}" class="bar">'
            f"<title>{label}：{_number(value)} {unit}</title></rect>"
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 10}" class="tick" '
                f'text-anchor="middle">{label}</text>'
            )
    if not any(values):
        parts.append(
            f'<text x="{LEFT + plot_width / 2}" y="{TOP + plot_height / 2}" '
            'class="empty" text-anchor="middle">沒有資料</text>'
        )
    title = escape(title)
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}"><title>{title}</title>{"".join(parts)}</svg>'
    )
