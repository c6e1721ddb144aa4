"""Each customer's gas by month, and the months far from their own norm."""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db import transaction

from reports.models import ConsumptionFlag, CustomerMonths

MONTHS = 12
# Months compared against the others: the latest complete ones.
FLAGGED_MONTHS = 3
# A norm needs this many complete months of the customer's own.
MIN_MONTHS = 4
# How far from the norm is far: this many robust standard deviations (the
# median absolute deviation scaled to one), and at least this share of it.
SPREAD = 3.0
MIN_SHARE = 0.5
MIN_RATIO_STEP = 0.10
# And at least a cylinder, or two deliveries: less is the rhythm of ordering.
MIN_STEP = {"公斤": 20, "次數": 2}
MAD_SCALE = 1.4826


def month_start(day):
    return day.replace(day=1)


def add_months(month, count):
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def window(today):
    """The twelve months that end with this one, oldest first."""
    current = month_start(today)
    return [add_months(current, offset) for offset in range(1 - MONTHS, 1)]


class MonthRow(NamedTuple):
    """The sums of a customer's month that the report reads."""

    deliveries: int
    weighed: int
    kg: int
    returned_kg: float


@dataclass
class CustomerSeries:
    """One customer's months in the window: kg where every delivery has its
    cylinders recorded, else the number of deliveries."""

    customer_id: int
    months: list
    rows: dict = field(default_factory=dict)

    @cached_property
    def by_kg(self):
        return bool(self.rows) and all(
            row.weighed == row.deliveries for row in self.rows.values()
        )

    @property
    def measure(self):
        return "公斤" if self.by_kg else "次數"

    def value(self, month):
        row = self.rows.get(month)
        if row is None:
            return 0
        return row.kg if self.by_kg else row.deliveries

    def values(self):
        return [self.value(month) for month in self.months]

    def ratio(self, month):
        """Gas returned over gas delivered in the month, when kg are known."""
        row = self.rows.get(month)
        if row is None or not row.kg:
            return None
        return float(row.returned_kg) / row.kg

    @property
    def returned_ratio(self):
        kg = sum(row.kg for row in self.rows.values())
        if not kg:
            return None
        return float(sum(row.returned_kg for row in self.rows.values())) / kg

    def active_months(self, before):
        """Complete months from the first one the customer bought gas in."""
        if not self.rows:
            return []
        first = min(self.rows)
        return [month for month in self.months if first <= month < before]


def series(months, customer_ids=None):
    """{customer id: CustomerSeries} for the window's months, of the given
    customers or of every customer who bought gas in the window."""
    rows = CustomerMonths.objects.filter(month__gte=months[0], month__lte=months[-1])
    result = {}
    if customer_ids is not None:
        rows = rows.filter(customer_id__in=customer_ids)
        result = {pk: CustomerSeries(pk, months) for pk in customer_ids}
    columns = ("customer_id", "month", *MonthRow._fields)
    for customer_id, month, *sums in rows.values_list(*columns):
        if customer_id not in result:
            result[customer_id] = CustomerSeries(customer_id, months)
        result[customer_id].rows[month] = MonthRow(*sums)
    return result


def _robust(values):
    norm = statistics.median(values)
    mad = statistics.median(abs(value - norm) for value in values) * MAD_SCALE
    return norm, mad


def flags_of(customer):
    """The customer's flagged months among the latest complete ones."""
    current = customer.months[-1]
    complete = customer.active_months(before=current)
    found = []
    for month in complete[-FLAGGED_MONTHS:]:
        others = [customer.value(other) for other in complete if other != month]
        if len(others) >= MIN_MONTHS - 1:
            norm, mad = _robust(others)
            value = customer.value(month)
            step = max(SPREAD * mad, MIN_SHARE * norm, MIN_STEP[customer.measure])
            if norm and value > norm + step:
                found.append((month, ConsumptionFlag.Kind.HIGH, value, norm))
            elif norm and value < norm - step:
                found.append((month, ConsumptionFlag.Kind.LOW, value, norm))
        ratio = customer.ratio(month)
        ratios = [customer.ratio(other) for other in complete if other != month]
        ratios = [other for other in ratios if other is not None]
        if ratio is not None and len(ratios) >= MIN_MONTHS - 1:
            norm, mad = _robust(ratios)
            if ratio > norm + max(SPREAD * mad, MIN_RATIO_STEP):
                found.append((month, ConsumptionFlag.Kind.RETURNED, ratio, norm))
    return found


def recompute_flags(today):
    """Replace the flags with those of the window that ends this month."""
    flags = []
    for customer in series(window(today)).values():
        for month, kind, value, norm in flags_of(customer):
            measure = "退氣比例" if kind == ConsumptionFlag.Kind.RETURNED else None
            flags.append(
                ConsumptionFlag(
                    customer_id=customer.customer_id,
                    month=month,
                    kind=kind,
                    measure=measure or customer.measure,
                    value=value,
                    norm=norm,
                )
            )
    # One transaction: a page never sees the flags half replaced, and two
    # refreshes at once do not add theirs twice.
    with transaction.atomic():
        ConsumptionFlag.objects.select_for_update().all().delete()
        ConsumptionFlag.objects.bulk_create(flags)
    return len(flags)
