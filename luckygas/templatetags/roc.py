"""Template filters for the office's way of writing dates."""

import datetime as dt

from django import template
from django.utils import timezone

from luckygas.dates import to_roc

register = template.Library()


@register.filter
def roc(value):
    """{{ delivery.delivery_date|roc }} -> 114/05/21; blank stays blank."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = (
            timezone.localtime(value).date()
            if timezone.is_aware(value)
            else value.date()
        )
    return to_roc(value)
