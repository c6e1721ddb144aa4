"""Filters of the report pages."""

from django import template

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
