"""The cron commands: refresh_reports, and archive_deliveries which ends with it."""

import datetime as dt

import pytest
from django.core.management import call_command

from deliveries.models import Delivery, DeliveryHistory, DeliveryHistoryItem
from luckygas.dates import today
from reports.models import DayFigures, Refresh
from reports.tests.conftest import deliver, make_customer

pytestmark = pytest.mark.django_db


def test_refresh_reports_fills_the_summaries_and_says_so(capsys):
    customer = make_customer("1500001", "A", "cash")
    deliver(customer, today(), items=[("std20", 2, 850)], total_amount=1700)

    call_command("refresh_reports")

    assert "報表已更新：4 個彙總" in capsys.readouterr().out
    figures = DayFigures.objects.get(day=today())
    assert (figures.deliveries, figures.cylinders, figures.amount) == (1, 2, 1700)
    assert Refresh.objects.get().trigger == "refresh_reports"


def test_archive_deliveries_moves_the_old_ones_with_their_items(capsys):
    customer = make_customer("1500001", "A", "cash")
    old = deliver(customer, today() - dt.timedelta(days=200), items=[("std20", 2, 850)])
    recent = deliver(customer, today() - dt.timedelta(days=10))

    call_command("archive_deliveries", dry_run=True)
    assert "的 1 筆配送移到歷史表" in capsys.readouterr().out
    assert Delivery.objects.count() == 2

    call_command("archive_deliveries")

    assert list(Delivery.objects.values_list("pk", flat=True)) == [recent.pk]
    archived = DeliveryHistory.objects.get()
    assert archived.pk == old.pk
    assert list(DeliveryHistoryItem.objects.values_list("quantity", "amount")) == [
        (2, 1700)
    ]
    output = capsys.readouterr().out
    assert "的 1 筆配送移到歷史表；報表已更新" in output
    assert Refresh.objects.get().trigger == "archive_deliveries"
