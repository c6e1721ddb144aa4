"""archive_deliveries: every delivery ends in exactly one table, whatever happens."""

import datetime as dt
import hashlib
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection

from deliveries import archiving
from deliveries.models import (
    Delivery,
    DeliveryHistory,
    DeliveryHistoryItem,
    DeliveryItem,
    Product,
)
from luckygas.dates import today
from reports.tests.conftest import make_customer

CUTOFF_DAYS = 180


def fill(count, customer=None):
    """Deliveries a day apart going back from today, every other with items."""
    customer = customer or make_customer("1600001", "A", "cash")
    product = Product.objects.get(code="std20")
    for offset in range(count):
        delivery = Delivery.objects.create(
            customer=customer, delivery_date=today() - dt.timedelta(days=offset * 3)
        )
        if offset % 2:
            DeliveryItem.objects.create(
                delivery=delivery, product=product, quantity=offset % 5 + 1
            )
    return customer


def census():
    """Ids of each table, a checksum of all ids, and the items by delivery."""
    active = set(Delivery.objects.values_list("id", flat=True))
    archived = set(DeliveryHistory.objects.values_list("id", flat=True))
    checksum = hashlib.sha256(str(sorted(active | archived)).encode()).hexdigest()
    items = {
        (delivery_id, quantity)
        for model in (DeliveryItem, DeliveryHistoryItem)
        for delivery_id, quantity in model.objects.values_list("delivery", "quantity")
    }
    return active, archived, checksum, items


def assert_each_once(before, after):
    active, archived, checksum, items = after
    assert not active & archived
    assert len(active) + len(archived) == len(before[0]) + len(before[1])
    assert checksum == before[2] and items == before[3]


@pytest.mark.django_db
def test_archiving_moves_the_old_and_keeps_every_delivery_once():
    fill(120)
    before = census()

    call_command("archive_deliveries", batch_size=7)

    after = census()
    assert_each_once(before, after)
    cutoff = archiving.cutoff_for(CUTOFF_DAYS)
    assert not Delivery.objects.filter(delivery_date__lt=cutoff).exists()
    assert not DeliveryHistory.objects.filter(delivery_date__gte=cutoff).exists()
    assert len(after[1]) == len([d for d in range(120) if d * 3 > CUTOFF_DAYS])

    call_command("archive_deliveries", batch_size=7)  # again: nothing to do
    assert census() == after


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure, reason",
    [
        (DatabaseError("connection lost"), "connection lost"),
        (KeyboardInterrupt(), "使用者中斷（Ctrl-C）"),
    ],
)
def test_an_archive_killed_mid_batch_loses_nothing_and_finishes_when_run_again(
    monkeypatch, failure, reason
):
    fill(120)
    before = census()
    real_delete, batches = archiving.delete_copied, []

    def fail_in_the_third_batch(cursor, among, ids):
        batches.append(ids)
        if len(batches) == 3:
            # The batch is copied to the archive and not yet deleted.
            raise failure
        real_delete(cursor, among, ids)

    monkeypatch.setattr(archiving, "delete_copied", fail_in_the_third_batch)
    # Ctrl-C stays an interruption (the job says 中斷, exit 130); a database
    # error is a failure.
    raised = (
        KeyboardInterrupt if isinstance(failure, KeyboardInterrupt) else CommandError
    )
    with pytest.raises(raised, match=f"已搬 14 筆.*原因：{reason}"):
        call_command("archive_deliveries", batch_size=7)

    interrupted = census()
    assert_each_once(before, interrupted)
    assert len(interrupted[1]) == 14  # the two whole batches, not the third
    monkeypatch.setattr(archiving, "delete_copied", real_delete)
    call_command("archive_deliveries", batch_size=7)
    assert_each_once(before, census())
    assert not archiving.archivable(archiving.cutoff_for(CUTOFF_DAYS)).exists()


@pytest.mark.django_db
def test_an_interruption_just_after_a_batch_committed_counts_that_batch(monkeypatch):
    fill(120)
    real_move, batches = archiving.move_batch, []

    def interrupted_after_the_third(cutoff, batch_size):
        moved = real_move(cutoff, batch_size)
        batches.append(moved)
        if len(batches) == 3:
            raise KeyboardInterrupt  # committed, not yet counted
        return moved

    monkeypatch.setattr(archiving, "move_batch", interrupted_after_the_third)
    with pytest.raises(
        KeyboardInterrupt, match="已搬 21 筆（完整的批次），還有 .* 筆未搬"
    ):
        call_command("archive_deliveries", batch_size=7)

    assert DeliveryHistory.objects.count() == 21


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_archiving_while_another_user_records_deliveries():
    customer = fill(150)
    written, errors = [], []

    def record():
        try:
            for offset in range(60):
                delivery = Delivery.objects.create(
                    customer=customer,
                    delivery_date=today() - dt.timedelta(days=offset * 7),
                )
                written.append(delivery.pk)
        except Exception as error:  # noqa: BLE001 - the test reports any error
            errors.append(error)
        finally:
            connection.close()

    before_ids = set(Delivery.objects.values_list("id", flat=True))
    writer = threading.Thread(target=record)
    writer.start()
    moved = archiving.archive(archiving.cutoff_for(CUTOFF_DAYS), batch_size=5)
    writer.join()

    assert errors == [] and len(written) == 60 and moved > 0
    active, archived, _, _ = census()
    assert not active & archived
    assert active | archived == before_ids | set(written)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "options, message",
    [
        ({"days": 0}, "--days 要在 1 到 36500 之間，不是 0"),
        ({"days": -5}, "--days 要在 1 到 36500 之間，不是 -5"),
        ({"days": 99_999_999}, "--days 要在 1 到 36500 之間，不是 99999999"),
        ({"batch_size": 0}, "--batch-size 要是正整數，不是 0"),
    ],
)
def test_options_out_of_range_are_refused_and_nothing_moves(options, message):
    fill(120)
    before = census()

    with pytest.raises(CommandError, match=message):
        call_command("archive_deliveries", **options)

    assert census() == before
