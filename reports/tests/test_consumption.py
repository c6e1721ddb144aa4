"""Months far from a customer's own norm are flagged; the rhythm is not."""

import datetime as dt
from decimal import Decimal

import pytest

from reports import consumption, summaries
from reports.models import ConsumptionFlag
from reports.tests.conftest import TODAY, deliver, make_customer

pytestmark = pytest.mark.django_db

# TODAY is in June 2025: the complete months run to May.
MONTHS = [dt.date(2024, month, 5) for month in range(7, 13)] + [
    dt.date(2025, month, 5) for month in range(1, 6)
]


def weighed_months(code, kg_by_month, returned=None):
    """A customer delivered once a month, `kg` in 20 kg cylinders."""
    customer = make_customer(code, "A", "cash")
    for index, (day, kg) in enumerate(zip(MONTHS, kg_by_month, strict=True)):
        if kg:
            back = (returned or {}).get(index)
            deliver(
                customer,
                day,
                items=[("std20", kg // 20, Decimal(850))],
                gas_returned_kg=back,
            )
    return customer


def counted_months(code, counts):
    """A customer of the old system's history: dates only, so counted."""
    customer = make_customer(code, "C", "cash")
    for day, count in zip(MONTHS, counts, strict=True):
        for offset in range(count):
            deliver(customer, day + dt.timedelta(days=offset), source="import")
    return customer


def flags():
    summaries.refresh_all()
    consumption.recompute_flags(TODAY)
    return {
        (flag.customer.code, flag.month.month, flag.kind, flag.measure)
        for flag in ConsumptionFlag.objects.select_related("customer")
    }


def test_a_steady_customer_and_an_ordinary_rhythm_raise_nothing():
    weighed_months("1300001", [100, 100, 120, 100, 80, 100, 100, 120, 100, 100, 100])
    # Two, three or four deliveries a month is how this customer orders.
    counted_months("1300002", [3, 2, 4, 3, 3, 2, 4, 3, 2, 3, 4])
    assert flags() == set()


def test_a_month_far_below_or_above_the_norm_is_flagged():
    weighed_months("1300001", [100, 100, 120, 100, 80, 100, 100, 120, 100, 100, 0])
    weighed_months("1300003", [100, 100, 120, 100, 80, 100, 100, 120, 300, 100, 100])
    counted_months("1300002", [4, 4, 5, 4, 4, 3, 4, 5, 4, 4, 0])
    assert flags() == {
        ("1300001", 5, "low", "公斤"),
        ("1300003", 3, "high", "公斤"),
        ("1300002", 5, "low", "次數"),
    }


def test_returned_gas_far_above_the_customers_own_share_is_flagged():
    weighed_months(
        "1300001",
        [100] * 11,
        returned={index: Decimal(2) for index in range(10)} | {10: Decimal(30)},
    )
    assert flags() == {("1300001", 5, "returned", "退氣比例")}


def test_a_new_customer_is_judged_only_on_the_months_since_they_began():
    weighed_months("1300001", [0, 0, 0, 0, 0, 0, 100, 100, 120, 100, 100])
    weighed_months("1300004", [0, 0, 0, 0, 0, 0, 0, 0, 100, 100, 100])
    assert flags() == set()
