"""Deliveries of every kind the reports sum, in both tables."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from customers.models import Area, Customer
from deliveries.models import (
    Delivery,
    DeliveryHistory,
    DeliveryHistoryItem,
    DeliveryItem,
    Product,
)
from routing.models import Driver, Route

# The day the tests take as today: a Thursday.
TODAY = dt.date(2025, 6, 12)


def make_customer(code, area, settlement, **fields):
    return Customer.objects.create(
        code=code,
        short_name=f"店{code[-2:]}",
        origin=Customer.Origin.CLIENT_LIST,
        area=Area.objects.get(code=area) if area else None,
        settlement=settlement,
        **fields,
    )


def deliver(customer, day, model=Delivery, items=(), **fields):
    """A delivery with its items: (product code, quantity, unit price or None)."""
    item_model = DeliveryHistoryItem if model is DeliveryHistory else DeliveryItem
    if model is DeliveryHistory:
        # An archived delivery keeps the id it had: take one no active one has.
        fields["id"] = 10_000_000 + DeliveryHistory.objects.count()
    delivery = model.objects.create(customer=customer, delivery_date=day, **fields)
    for code, quantity, price in items:
        item_model.objects.create(
            delivery=delivery,
            product=Product.objects.get(code=code),
            quantity=quantity,
            empties_collected=quantity,
            unit_price=price,
            amount=None if price is None else price * quantity,
        )
    return delivery


@pytest.fixture
def year_of_deliveries(db):
    """A year and a half of deliveries: imported ones with a date only, runs
    recorded in the app with cylinders, amounts, cash and returned gas, some
    without a price, some not delivered; the oldest already archived."""
    rng = random.Random(5)
    customers = [
        make_customer("1100001", "A", Customer.Settlement.MONTHLY),
        make_customer("1100002", "A", Customer.Settlement.CASH),
        make_customer("1100003", "C", Customer.Settlement.CASH),
        make_customer("1100004", "F", ""),
        make_customer("1100005", None, Customer.Settlement.MONTHLY),
    ]
    drivers = [
        Driver.objects.create(code="D01", name="阿明"),
        Driver.objects.create(code="D02", name="阿華"),
    ]
    day = dt.date(2024, 1, 2)
    while day <= TODAY:
        for customer in rng.sample(customers, rng.randint(0, 4)):
            model = DeliveryHistory if day < dt.date(2024, 6, 1) else Delivery
            if day < dt.date(2024, 9, 1):
                deliver(customer, day, model, source=Delivery.Source.IMPORT)
                continue
            driver = rng.choice(drivers)
            route, _ = Route.objects.get_or_create(
                route_date=day, route_code=f"車{driver.code}", driver=driver
            )
            outcome = rng.choice([Delivery.Outcome.DELIVERED] * 8 + ["absent"])
            items = []
            if outcome == Delivery.Outcome.DELIVERED:
                items = [("std20", rng.randint(1, 4), Decimal(850))]
                if rng.random() < 0.3:
                    items.append(("std50", 1, Decimal(2050)))
                if rng.random() < 0.1:
                    items.append(("std4", 2, None))
            priced = all(price is not None for _, _, price in items)
            total = sum(q * p for _, q, p in items) if items and priced else None
            deliver(
                customer,
                day,
                model,
                items,
                driver=driver,
                route=route,
                outcome=outcome,
                total_amount=total,
                cash_collected=total if customer.settlement == "cash" else None,
                gas_returned_kg=rng.choice([None, None, Decimal("1.5"), Decimal(3)]),
            )
        day += dt.timedelta(days=rng.randint(1, 3))
    return customers
