"""Bring every report up to date, and remember when that was."""

import time

from django.utils import timezone

from luckygas.dates import today
from reports import consumption, summaries
from reports.models import Refresh

# The refreshes kept on record; each page shows only the latest.
KEPT = 100


def refresh(trigger):
    """Refresh the summaries, then the consumption flags built on them."""
    started = time.perf_counter()
    seconds = summaries.refresh_all()
    flags = consumption.recompute_flags(today())
    record = Refresh.objects.create(
        finished_at=timezone.now(),
        seconds=time.perf_counter() - started,
        trigger=trigger,
    )
    old = Refresh.objects.values_list("pk", flat=True)[KEPT:]
    Refresh.objects.filter(pk__in=list(old)).delete()
    return record, seconds, flags


def last_refresh():
    return Refresh.objects.first()
