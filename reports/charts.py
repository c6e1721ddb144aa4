"""Bar charts drawn on the server as SVG: no script, no outside network, and
they print as sharp as the page."""

import math

from django.utils.html import format_html, format_html_join
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

    grid = []
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = TOP + plot_height - plot_height * tick / TICKS
        grid.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid"/>'
                '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
                LEFT,
                f"{y:.1f}",
                WIDTH - RIGHT,
                f"{y:.1f}",
                LEFT - 6,
                f"{y + 4:.1f}",
                _number(value),
            )
        )
    bars = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        height = plot_height * value / top
        x = LEFT + index * slot + (slot - bar) / 2
        bars.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="bar">'
                "<title>{}：{} {}</title></rect>",
                f"{x:.1f}",
                f"{TOP + plot_height - height:.1f}",
                f"{bar:.1f}",
                f"{height:.1f}",
                label,
                _number(value),
                unit,
            )
        )
        if index % label_every == 0:
            bars.append(
                format_html(
                    '<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>',
                    f"{x + bar / 2:.1f}",
                    HEIGHT - 10,
                    label,
                )
            )
    if not any(values):
        bars.append(
            format_html(
                '<text x="{}" y="{}" class="empty" text-anchor="middle">{}</text>',
                LEFT + plot_width / 2,
                TOP + plot_height / 2,
                "沒有資料",
            )
        )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        "<title>{}</title>{}{}</svg>",
        WIDTH,
        HEIGHT,
        title,
        title,
        mark_safe("".join(grid)),
        format_html_join("", "{}", ((item,) for item in bars)),
    )
