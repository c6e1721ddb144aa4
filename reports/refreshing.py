"""Bring every report up to date, and remember when that was."""

import time

from django.utils import timezone

from luckygas.dates import today
from reports import consumption, summaries
from reports.models import Refresh

# The refreshes kept on record; each page shows only the latest.
KEPT = 100


# The steps of a refresh: each summary, then the consumption flags.
STEPS = len(summaries.SUMMARIES) + 1


def refresh(trigger, on_step=None):
    """Refresh the summaries, then the consumption flags built on them;
    on_step(1) is called as each of the STEPS ends."""
    started = time.perf_counter()
    seconds = summaries.refresh_all(on_step)
    flags = consumption.recompute_flags(today())
    if on_step is not None:
        on_step(1)
    # What started it (an imported file's name, say) is kept as far as it fits.
    longest = Refresh._meta.get_field("trigger").max_length
    record = Refresh.objects.create(
        finished_at=timezone.now(),
        seconds=time.perf_counter() - started,
        trigger=trigger[:longest],
    )
    old = Refresh.objects.values_list("pk", flat=True)[KEPT:]
    Refresh.objects.filter(pk__in=list(old)).delete()
    return record, seconds, flags


def last_refresh():
    return Refresh.objects.first()
