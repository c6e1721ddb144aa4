"""The summaries give exactly what summing the delivery tables gives."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection

from deliveries import archiving
from deliveries.models import Delivery, DeliveryHistory
from reports import summaries
from reports.models import CustomerMonths, DayFigures, DayProducts, MonthFigures
from reports.refreshing import refresh

SUMS = [
    "deliveries",
    "priced",
    "amount",
    "cash",
    "returned_kg",
    "weighed",
    "cylinders",
    "kg",
]


def delivered():
    """Every delivered delivery, active and archived, with its items."""
    for model in (Delivery, DeliveryHistory):
        records = model.objects.filter(outcome=Delivery.Outcome.DELIVERED)
        yield from records.select_related("customer").prefetch_related("items__product")


def new_sums():
    return dict.fromkeys(SUMS, Decimal(0))


def add_delivery(sums, delivery):
    items = list(delivery.items.all())
    sums["deliveries"] += 1
    sums["priced"] += delivery.total_amount is not None
    sums["amount"] += delivery.total_amount or 0
    sums["cash"] += delivery.cash_collected or 0
    sums["returned_kg"] += delivery.gas_returned_kg or 0
    sums["weighed"] += bool(items)
    sums["cylinders"] += sum(item.quantity for item in items)
    sums["kg"] += sum(item.quantity * item.product.kg for item in items)


def computed():
    """Each summary, computed here in Python from the delivery tables."""
    days, months, customers = (defaultdict(new_sums) for _ in range(3))
    products = defaultdict(
        lambda: dict.fromkeys(
            ["cylinders", "kg", "empties", "priced", "amount"], Decimal(0)
        )
    )
    for delivery in delivered():
        customer = delivery.customer
        day, month = delivery.delivery_date, delivery.delivery_date.replace(day=1)
        driver, route = delivery.driver_id or 0, delivery.route_id or 0
        area = customer.area_id or 0
        add_delivery(days[day, driver, route, area, customer.settlement], delivery)
        add_delivery(months[month, area, customer.settlement], delivery)
        add_delivery(customers[customer.pk, month], delivery)
        for item in delivery.items.all():
            sums = products[day, driver, route, item.product_id]
            sums["cylinders"] += item.quantity
            sums["kg"] += item.quantity * item.product.kg
            sums["empties"] += item.empties_collected
            sums["priced"] += item.amount is not None
            sums["amount"] += item.amount or 0
    return {"day": days, "month": months, "customer": customers, "product": products}


def stored():
    """Each summary as the views or tables hold it, in the same shape."""

    def read(model, key, sums):
        return {
            tuple(row[name] for name in key): {
                name: Decimal(str(row[name])) for name in sums
            }
            for row in model.objects.values(*key, *sums)
        }

    return {
        "day": read(
            DayFigures, ["day", "driver_id", "route_id", "area_id", "settlement"], SUMS
        ),
        "month": read(MonthFigures, ["month", "area_id", "settlement"], SUMS),
        "customer": read(CustomerMonths, ["customer_id", "month"], SUMS),
        "product": read(
            DayProducts,
            ["day", "driver_id", "route_id", "product_id"],
            ["cylinders", "kg", "empties", "priced", "amount"],
        ),
    }


def assert_same(expected, actual):
    for name in expected:
        assert set(actual[name]) == set(expected[name]), name
        for key, sums in expected[name].items():
            assert actual[name][key] == sums, (name, key)


@pytest.mark.django_db
def test_summaries_equal_the_delivery_tables_before_and_after_archiving(
    year_of_deliveries,
):
    refresh("test")
    before = computed()
    # The data holds every kind of delivery the summaries must count.
    assert DeliveryHistory.objects.exists() and Delivery.objects.exists()
    assert len(before["day"]) > 100 and len(before["product"]) > 100
    assert_same(before, stored())

    moved = archiving.archive(dt.date(2025, 1, 1), batch_size=7)
    assert moved > 50
    refresh("test")
    after = computed()
    assert after == before
    assert_same(after, stored())


@pytest.mark.django_db
def test_a_refresh_brings_in_what_changed(year_of_deliveries):
    refresh("test")
    customer = year_of_deliveries[0]
    day = dt.date(2025, 6, 11)
    Delivery.objects.create(
        customer=customer, delivery_date=day, total_amount=999, cash_collected=0
    )
    month = MonthFigures.objects.get(
        month=day.replace(day=1),
        area_id=customer.area_id,
        settlement=customer.settlement,
    )
    # A day whose deliveries are all gone leaves no row behind.
    gone = Delivery.objects.filter(route__isnull=False).earliest("delivery_date")
    Delivery.objects.filter(delivery_date=gone.delivery_date).delete()
    refresh("test")
    again = MonthFigures.objects.get(pk=month.pk)
    assert again.deliveries == month.deliveries + 1
    assert again.amount == month.amount + 999
    assert not DayFigures.objects.filter(day=gone.delivery_date).exists()
    assert_same(computed(), stored())


@pytest.mark.django_db
def test_not_delivered_counts_nowhere(year_of_deliveries):
    customer = year_of_deliveries[1]
    refresh("test")
    before = stored()
    Delivery.objects.create(
        customer=customer,
        delivery_date=dt.date(2025, 6, 11),
        outcome="absent",
        total_amount=500,
        cash_collected=500,
    )
    refresh("test")
    assert stored() == before


@pytest.mark.django_db
def test_summaries_are_materialized_views_on_postgresql_and_tables_on_sqlite():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT matviewname FROM pg_matviews")
            kinds = {row[0] for row in cursor.fetchall()}
            # REFRESH ... CONCURRENTLY needs a unique index on plain columns.
            cursor.execute(
                "SELECT tablename FROM pg_indexes "
                "WHERE indexdef LIKE 'CREATE UNIQUE INDEX%%'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            kinds = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master "
                "WHERE type = 'index' AND sql LIKE 'CREATE UNIQUE INDEX%%'"
            )
        unique = {row[0] for row in cursor.fetchall()}
    for summary in summaries.SUMMARIES:
        assert summary.table in kinds
        assert summary.table in unique
