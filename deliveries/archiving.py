"""Moving old deliveries, with their items, from Delivery to DeliveryHistory.

Each batch is one short transaction: the deliveries are locked, copied with
their ids, their items copied, then both deleted. A batch that fails or is
killed leaves nothing behind, so a run can stop anywhere and start again.
"""

import datetime as dt

from django.db import connection, transaction

from deliveries.models import (
    Delivery,
    DeliveryHistory,
    DeliveryHistoryItem,
    DeliveryItem,
)
from luckygas.dates import today

ARCHIVE_AFTER_DAYS = 180
BATCH_SIZE = 5000


def cutoff_for(days, on=None):
    """Deliveries dated before this day are archived."""
    return (on or today()) - dt.timedelta(days=days)


def _columns(model, exclude=()):
    return [
        field.column
        for field in model._meta.concrete_fields
        if field.column not in exclude
    ]


def _names(columns):
    return ", ".join(connection.ops.quote_name(column) for column in columns)


def archivable(cutoff):
    return Delivery.objects.filter(delivery_date__lt=cutoff)


def move_batch(cutoff, batch_size=BATCH_SIZE):
    """Move up to batch_size of the oldest deliveries before cutoff; return
    how many moved (0 when none is left)."""
    delivery_columns = _names(_columns(DeliveryHistory))
    item_columns = _names(_columns(DeliveryHistoryItem, exclude=("id",)))
    assert set(_columns(Delivery)) == set(_columns(DeliveryHistory))
    assert set(_columns(DeliveryItem)) == set(_columns(DeliveryHistoryItem))
    with transaction.atomic():
        ids = list(
            archivable(cutoff)
            .select_for_update()
            .order_by("delivery_date", "id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return 0
        among = f"IN ({', '.join(['%s'] * len(ids))})"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO deliveries_deliveryhistory ({delivery_columns}) "
                f"SELECT {delivery_columns} FROM deliveries_delivery WHERE id {among}",
                ids,
            )
            cursor.execute(
                f"INSERT INTO deliveries_deliveryhistoryitem ({item_columns}) "
                f"SELECT {item_columns} FROM deliveries_deliveryitem "
                f"WHERE delivery_id {among}",
                ids,
            )
            delete_copied(cursor, among, ids)
        return len(ids)


def delete_copied(cursor, among, ids):
    """Delete the batch's deliveries and items, now in the archive."""
    cursor.execute(
        f"DELETE FROM deliveries_deliveryitem WHERE delivery_id {among}", ids
    )
    cursor.execute(f"DELETE FROM deliveries_delivery WHERE id {among}", ids)


def archive(cutoff, batch_size=BATCH_SIZE, on_batch=None):
    """Move every delivery before cutoff, batch by batch; return the count."""
    moved = 0
    while count := move_batch(cutoff, batch_size):
        moved += count
        if on_batch is not None:
            on_batch(count)
    return moved
