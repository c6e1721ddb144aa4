"""Filters of the report pages."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from reports.forms import to_roc_month

register = template.Library()

register.filter("roc_month", to_roc_month)


@register.filter
def flag_value(flag, name):
    """A flag's figure as its measure reads: a share, kg or a count."""
    value = getattr(flag, name)
    if flag.kind == flag.Kind.RETURNED:
        return f"{value:.0%}"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


@register.filter
def number(value, places=0):
    """1234567 -> 1,234,567; blank stays blank."""
    if value in (None, ""):
        return ""
    return f"{value:,.{int(places)}f}"


DASH = '<span title="{}">—</span>'
MISSING = {
    "cylinders": "沒有瓶數紀錄",
    "kg": "沒有瓶數紀錄",
    "amount": "沒有金額紀錄",
    "cash": "沒有收現紀錄",
    "returned_kg": "沒有退氣紀錄",
}
STARRED = '{}<span class="text-secondary small" title="{} 次配送沒有金額"> *</span>'


@register.filter
def totals_cells(totals):
    """The cells of a row of sums: deliveries, cylinders, kg, amount, cash and
    gas returned. A figure no delivery of the row recorded shows as a dash,
    not a zero; an amount that leaves some deliveries out is starred."""
    cells = []
    for name, figure in totals.figures():
        if figure is None:
            cells.append(format_html(DASH, MISSING[name]))
        elif name == "amount" and totals.unpriced:
            cells.append(format_html(STARRED, number(figure), totals.unpriced))
        else:
            cells.append(number(figure, 1 if name == "returned_kg" else 0))
    return format_html_join("", '<td class="text-end">{}</td>', ((c,) for c in cells))


@register.filter
def month_cells(line):
    """A customer's month figures as cells, blank where they had none."""
    # Numbers only, so nothing to escape: a page has six hundred of them.
    return mark_safe(
        "".join(
            f'<td class="text-end">{number(value) if value else ""}</td>'
            for value in line.values()
        )
    )
