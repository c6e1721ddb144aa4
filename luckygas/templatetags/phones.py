"""Template filters for the telephone numbers typed into a customer's 電話
cell, which may hold several, with or without area code or punctuation."""

import phonenumbers
from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def dial(text):
    """The first number in the cell as a tel: link dials it (E.164), or ''
    when it holds none: '089-123456、0912-345678' -> +88689123456."""
    for found in phonenumbers.PhoneNumberMatcher(text or "", "TW"):
        return phonenumbers.format_number(
            found.number, phonenumbers.PhoneNumberFormat.E164
        )
    return ""


@register.filter
def phone_link(text):
    """The cell as typed, a link that dials its first number if it has one."""
    number = dial(text)
    if not number:
        return text or ""
    return format_html('<a href="tel:{}">{}</a>', number, text)
