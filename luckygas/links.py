"""Links for the lines of long lists."""

from urllib.parse import quote

from django.urls import reverse


def url_maker(name, converter=str):
    """reverse(name, args=[value]) for many values, reversed once: the
    template's {% url %} on every line of a long list is most of its time."""
    marker = "2147483646"
    pattern = reverse(name, args=[converter(marker)])

    def url(value):
        return pattern.replace(marker, quote(str(value)))

    return url
