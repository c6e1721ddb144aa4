"""What each report shows, read from the summaries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from customers.models import Area, Customer
from deliveries.models import Delivery, DeliveryHistory, Product
from reports.consumption import add_months
from reports.models import DayFigures, DayProducts, MonthFigures
from routing.models import Driver, Route

SUM_FIELDS = [
    "deliveries",
    "priced",
    "amount",
    "cash",
    "returned_kg",
    "weighed",
    "cylinders",
    "kg",
]
NONE_LABEL = "（未指定）"
SETTLEMENT_LABELS = dict(Customer.Settlement.choices) | {"": "（未填結帳方式）"}


@dataclass
class Totals:
    """Sums of deliveries under one label: a run, a day, an area…"""

    label: str = ""
    deliveries: int = 0
    priced: int = 0
    amount: Decimal = Decimal(0)
    cash: Decimal = Decimal(0)
    returned_kg: Decimal = Decimal(0)
    weighed: int = 0
    cylinders: int = 0
    kg: int = 0
    key: object = None

    def add(self, row):
        for name in SUM_FIELDS:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))
        return self

    @property
    def unpriced(self):
        """Deliveries without an amount: the old system's, or unpriced ones."""
        return self.deliveries - self.priced

    def figures(self):
        """(name, figure) of each sum shown, the figure None where no delivery
        of the row recorded it: the old system's history has dates only."""
        none = not self.deliveries
        weighed, priced = none or self.weighed, none or self.priced
        return [
            ("deliveries", self.deliveries),
            ("cylinders", self.cylinders if weighed else None),
            ("kg", self.kg if weighed else None),
            ("amount", self.amount if priced else None),
            ("cash", self.cash if priced or self.cash else None),
            ("returned_kg", self.returned_kg if weighed else None),
        ]


def sums(queryset, *keys):
    """Rows of the summary grouped by the keys, each with every sum."""
    return (
        queryset.values(*keys)
        .annotate(**{name: Sum(name) for name in SUM_FIELDS})
        .order_by(*keys)
    )


def total_of(rows, label="合計"):
    total = Totals(label)
    for row in rows:
        total.add(row.__dict__ if isinstance(row, Totals) else row)
    return total


def month_range(month):
    return month, add_months(month, 1) - dt.timedelta(days=1)


# Daily report -------------------------------------------------------------


@dataclass
class DailyReport:
    day: dt.date
    runs: list
    total: Totals
    products: list
    product_total: dict
    matrix: list
    matrix_total: list


def run_labels(pairs):
    """{(driver id, route id): label} for the runs and drivers of the day."""
    routes = Route.objects.in_bulk([route for _, route in pairs if route])
    drivers = Driver.objects.in_bulk([driver for driver, _ in pairs if driver])
    labels = {}
    for driver_id, route_id in pairs:
        route, driver = routes.get(route_id), drivers.get(driver_id)
        if route is not None:
            label = route.route_code
        elif route_id == 0 and driver_id == 0:
            label = "舊系統匯入"
        else:
            label = "車次外"
        labels[driver_id, route_id] = (label, driver.name if driver else "")
    return labels


def daily(day):
    run_rows = list(sums(DayFigures.objects.filter(day=day), "driver_id", "route_id"))
    product_rows = list(
        DayProducts.objects.filter(day=day)
        .values("driver_id", "route_id", "product_id")
        .annotate(
            cylinders_sum=Sum("cylinders"),
            kg_sum=Sum("kg"),
            empties_sum=Sum("empties"),
            amount_sum=Sum("amount"),
        )
    )
    pairs = {(row["driver_id"], row["route_id"]) for row in run_rows}
    labels = run_labels(pairs)
    runs = []
    for row in run_rows:
        key = (row["driver_id"], row["route_id"])
        label, driver = labels[key]
        totals = Totals(label, key=key).add(row)
        totals.driver = driver
        runs.append(totals)
    runs.sort(key=lambda run: (run.key == (0, 0), run.label, run.driver))

    products = {product.pk: product for product in Product.objects.all()}
    by_product = defaultdict(lambda: defaultdict(int))
    by_run_product = defaultdict(int)
    for row in product_rows:
        product = row["product_id"]
        for name in ("cylinders", "kg", "empties", "amount"):
            by_product[product][name] += row[f"{name}_sum"] or 0
        by_run_product[row["driver_id"], row["route_id"], product] += row[
            "cylinders_sum"
        ]
    used = sorted(by_product, key=lambda pk: products[pk].sort_order)
    product_list = [(products[pk], by_product[pk]) for pk in used]
    product_total = {
        name: sum(figures[name] for _, figures in product_list)
        for name in ("cylinders", "kg", "empties", "amount")
    }
    matrix = [(run, [by_run_product[(*run.key, pk)] for pk in used]) for run in runs]
    matrix_total = [
        sum(counts[index] for _, counts in matrix) for index in range(len(used))
    ]
    return DailyReport(
        day, runs, total_of(runs), product_list, product_total, matrix, matrix_total
    )


# Monthly report -----------------------------------------------------------


@dataclass
class MonthlyReport:
    month: dt.date
    days: list
    total: Totals
    areas: list
    settlements: list
    year: list
    year_total: Totals


def monthly(month):
    first, last = month_range(month)
    by_day = {
        row["day"]: Totals(key=row["day"]).add(row)
        for row in sums(DayFigures.objects.filter(day__range=(first, last)), "day")
    }
    days = [
        by_day.get(first + dt.timedelta(days=offset))
        or Totals(key=first + dt.timedelta(days=offset))
        for offset in range((last - first).days + 1)
    ]
    month_rows = MonthFigures.objects.filter(month=month)
    areas = {area.pk: area for area in Area.objects.all()}
    area_rows = [
        Totals(str(areas[row["area_id"]]) if row["area_id"] else NONE_LABEL).add(row)
        for row in sums(month_rows, "area_id")
    ]
    settlements = [
        Totals(SETTLEMENT_LABELS.get(row["settlement"], row["settlement"])).add(row)
        for row in sums(month_rows, "settlement")
    ]
    year_start = month.replace(month=1)
    by_month = {
        row["month"]: row
        for row in sums(
            MonthFigures.objects.filter(
                month__range=(year_start, year_start.replace(month=12))
            ),
            "month",
        )
    }
    year = []
    for number in range(1, 13):
        start = year_start.replace(month=number)
        year.append(Totals(key=start).add(by_month.get(start, {})))
    return MonthlyReport(
        month,
        days,
        total_of(days),
        area_rows,
        settlements,
        year,
        total_of(year),
    )


# Monthly-account statement ------------------------------------------------


@dataclass
class StatementLine:
    delivery: object
    items: list


def statement(customer, month):
    """The customer's deliveries of the month, active and archived, oldest
    first, with their items; and the totals."""
    first, last = month_range(month)
    lines = []
    for model in (DeliveryHistory, Delivery):
        deliveries = (
            model.objects.filter(
                customer=customer,
                delivery_date__range=(first, last),
                outcome=Delivery.Outcome.DELIVERED,
            )
            .prefetch_related("items__product")
            .order_by("delivery_date", "id")
        )
        for delivery in deliveries:
            items = sorted(delivery.items.all(), key=lambda i: i.product.sort_order)
            lines.append(StatementLine(delivery, items))
    lines.sort(key=lambda line: (line.delivery.delivery_date, line.delivery.pk))
    amount = sum(line.delivery.total_amount or 0 for line in lines)
    cash = sum(line.delivery.cash_collected or 0 for line in lines)
    unpriced = sum(1 for line in lines if line.delivery.total_amount is None)
    return {
        "lines": lines,
        "amount_known": unpriced < len(lines),
        "amount": amount,
        "cash": cash,
        "due": amount - cash,
        "unpriced": unpriced,
        "cylinders": sum(item.quantity for line in lines for item in line.items),
    }
