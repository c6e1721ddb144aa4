"""The due list (待配送名單): who needs gas on a day, and why."""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.db.models import Case, F, OuterRef, Prefetch, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Customer
from customers.schedule import closed_reason, next_open_day
from deliveries.models import Delivery, DeliveryHistory, Order, OrderItem
from luckygas.dates import today
from routing.forecast import LONGEST_INTERVAL, LOW, open_on_or_after
from routing.models import CustomerForecast, Postponement, RouteStop

CYCLE = "預計配送"
OVERDUE = "超過週期"
ORDER = "新增訂單"
POSTPONED = "延後"

# What a due entry shows and plans with, of the client list's many columns.
ENTRY_FIELDS = (
    "code",
    "short_name",
    "invoice_title",
    "address",
    "phone",
    "area",
    "origin",
    "terminated",
    "vehicle",
    "time_slot",
    "open_hours",
    "max_cycle_days",
    "closed_weekdays",
    "closed_on_public_holidays",
    "closed_month_days",
    "closed_lunar_days",
    "closed_days_unparsed",
    "updated_at",
)

# Days a due entry may be put off at most; longer is a pause of the customer.
LONGEST_POSTPONEMENT = 60


@dataclass(frozen=True)
class Predicted:
    """A stored forecast as it stands after the deliveries since it was made."""

    due: dt.date
    next: dt.date
    low: dt.date
    high: dt.date
    confidence: str

    @classmethod
    def of(cls, last_delivery, stored, closed_days):
        """`stored`: FORECAST_COLUMNS of the customer's CustomerForecast, all
        None where it has none; `closed_days`: their CLOSED_DAY_COLUMNS. A
        delivery made since starts their rhythm again from it, on an open
        day, until the next refresh."""
        stored_last, due, nxt, low, high, interval, confidence = stored
        if stored_last is None or last_delivery is None:
            return None
        if last_delivery != stored_last:
            rules = dict(zip(CLOSED_DAY_COLUMNS, closed_days, strict=True))
            wanted = last_delivery + dt.timedelta(days=max(1, round(interval)))
            due = open_on_or_after(Customer(**rules), wanted)
            moved = due - nxt
            nxt, low, high = due, low + moved, high + moved
        return cls(due, nxt, low, high, confidence)

    def seen_on(self, day):
        """The forecast as a list of `day` shows it: a customer expected
        before that day and still waiting may come any day from it on, as
        the forecast says of an overdue customer."""
        if self.next >= day:
            return self
        return replace(
            self, next=day, low=day, high=max(self.high, day), confidence=LOW
        )


@dataclass
class DueEntry:
    """Why a customer is due; `customer` and `orders` are read in full only
    for the entries shown (complete())."""

    customer_id: int
    customer: Customer | None = None
    sources: list = field(default_factory=list)
    last_delivery: dt.date | None = None
    cycle_days: float | None = None
    order_ids: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    postponement: Postponement | None = None
    # The learned forecast (routing.forecast), when the nightly refresh made one.
    forecast: Predicted | None = None
    closed: str = ""
    next_open: dt.date | None = None
    # Area group, and the list's order: area, time slot, address.
    group: str | None = None
    sort_key: tuple = ()

    @classmethod
    def of(cls, customer, **fields):
        """An entry for a customer already read."""
        return cls(customer.pk, customer, **fields)

    @property
    def sheet_expected(self):
        """The sheet's rule: the last delivery plus the cycle."""
        if self.last_delivery and self.cycle_days:
            return self.last_delivery + dt.timedelta(days=round(self.cycle_days))
        return None

    @property
    def usual_date(self):
        """The day the customer's rhythm comes round: due on it, overdue after."""
        if self.forecast:
            return self.forecast.due
        return self.sheet_expected


def newest(model):
    rows = model.objects.filter(
        customer=OuterRef("pk"), outcome=model.Outcome.DELIVERED
    ).order_by("-delivery_date")
    return Subquery(rows.values("delivery_date")[:1])


def median_intervals(customer_ids):
    """Each customer's median days between deliveries, from the active table."""
    dates = defaultdict(list)
    rows = Delivery.objects.filter(
        customer_id__in=customer_ids, outcome=Delivery.Outcome.DELIVERED
    ).values_list("customer_id", "delivery_date")
    for customer_id, day in rows.order_by("customer_id", "delivery_date"):
        dates[customer_id].append(day)
    medians = {}
    for customer_id, days in dates.items():
        gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
        gaps = [gap for gap in gaps if 0 < gap <= LONGEST_INTERVAL]
        if gaps:
            medians[customer_id] = statistics.median(gaps)
    return medians


def open_orders(day):
    """Orders for the day, and earlier ones still not delivered."""
    return Order.objects.filter(requested_date__lte=day, status=Order.Status.OPEN)


def customers_for(day, area_group="", vehicle=None):
    """The client list's active customers, and anyone with an order for the day."""
    ordered = open_orders(day)
    customers = Customer.objects.active().filter(
        Q(origin=Customer.Origin.CLIENT_LIST) | Q(pk__in=ordered.values("customer_id"))
    )
    if area_group:
        customers = customers.filter(area__group=area_group)
    if vehicle is not None:
        either = Customer.Vehicle.EITHER
        customers = customers.filter(
            Q(vehicle=vehicle) | Q(vehicle=either) | Q(vehicle__isnull=True)
        )
    return customers


def due_entries(day, area_group="", vehicle=None):
    """Who is due on `day`, by customer id, worked out from a few columns of
    each customer: their entries, without the customers themselves.

    Only delivered stops count as a last delivery: a customer who was absent
    is still due.
    """
    postponed = postponements_on(day)
    entries = entries_for(
        customers_for(day, area_group, vehicle),
        day,
        wanted=Q(forecast__due_date__lte=day)
        | Q(pk__in=open_orders(day).values("customer_id"))
        | Q(pk__in=list(postponed)),
        postponements=postponed,
    )

    due = {}
    for customer_id, entry in entries.items():
        waiting = entry.postponement and entry.postponement.to_date > day
        if entry.postponement and not waiting:
            entry.sources.append(POSTPONED)
        elif not waiting:
            usual = entry.usual_date
            if usual and usual <= day:
                entry.sources.append(CYCLE if usual == day else OVERDUE)
        if entry.sources:
            due[customer_id] = entry

    orders = (
        open_orders(day)
        .order_by("requested_date", "id")
        .values_list("customer_id", "pk")
    )
    for customer_id, order_id in orders:
        if customer_id not in entries:
            continue
        entry = due.setdefault(customer_id, entries[customer_id])
        entry.order_ids.append(order_id)
        if ORDER not in entry.sources:
            entry.sources.append(ORDER)
    return due


# What entries_for reads of each customer's stored forecast.
FORECAST_COLUMNS = (
    "forecast__last_delivery",
    "forecast__due_date",
    "forecast__next_date",
    "forecast__low_date",
    "forecast__high_date",
    "forecast__interval_days",
    "forecast__confidence",
)
# What moving a forecast past closed days reads of the customer.
CLOSED_DAY_COLUMNS = (
    "closed_weekdays",
    "closed_on_public_holidays",
    "closed_month_days",
    "closed_lunar_days",
)


def entries_for(customers, day, wanted, postponements=None):
    """An entry for each of `customers` with their last delivery, cycle,
    forecast and the postponement in force on `day`, by customer id.

    Of those with a forecast, only the `wanted` ones (a Q on the stored
    forecast) are read, and those whose deliveries changed since it was made:
    theirs is worked out again here. `postponements`: postponements_on(day),
    when already read.
    """
    changed = changed_since_forecasts()
    # Unchanged since their forecast, their last delivery is the forecast's.
    last_delivery = Case(
        When(
            Q(forecast__isnull=False) & ~Q(pk__in=changed),
            then=F("forecast__last_delivery"),
        ),
        default=Coalesce(newest(Delivery), newest(DeliveryHistory)),
    )
    # Unordered: walking the code index to read the rows in code order costs
    # SQLite three times what reading the table straight through does.
    rows = (
        customers.order_by()
        .filter(wanted | Q(forecast__isnull=True) | Q(pk__in=changed))
        .annotate(last_delivery=last_delivery)
        .values_list(
            "pk",
            "last_delivery",
            "max_cycle_days",
            "area__group",
            "area__code",
            "time_slot",
            "address",
            *FORECAST_COLUMNS,
            *CLOSED_DAY_COLUMNS,
        )
    )
    width = len(FORECAST_COLUMNS)
    entries = {
        pk: DueEntry(
            pk,
            last_delivery=last,
            cycle_days=cycle,
            group=group,
            sort_key=(area or "~", 9 if slot is None else slot, address),
            forecast=Predicted.of(last, rest[:width], rest[width:]),
        )
        for pk, last, cycle, group, area, slot, address, *rest in rows
    }
    # Without a forecast or a cycle in the sheet, the customer's own median.
    without_cycle = [
        pk
        for pk, entry in entries.items()
        if not entry.cycle_days and not entry.forecast
    ]
    for customer_id, median in median_intervals(without_cycle).items():
        entries[customer_id].cycle_days = median

    # Postponements and open orders of the day are few: read them all and keep
    # those of the customers listed, rather than make the database match them
    # against the customers' query.
    if postponements is None:
        postponements = postponements_on(day)
    for customer_id, postponement in postponements.items():
        entry = entries.get(customer_id)
        # A delivery since the postponed day ends the postponement.
        if entry and not (
            entry.last_delivery and entry.last_delivery >= postponement.from_date
        ):
            entry.postponement = postponement
    return entries


# Older than this, the nightly refresh of the forecasts has been missed.
FORECASTS_STALE_AFTER = dt.timedelta(hours=36)


def forecasts_made():
    """When the stored forecasts were made, and whether that is longer ago
    than a nightly refresh leaves them: (None, True) when there are none."""
    made = CustomerForecast.objects.order_by().values_list("refreshed_at", flat=True)
    made = next(iter(made[:1]), None)
    return made, made is None or timezone.now() - made > FORECASTS_STALE_AFTER


def changed_since_forecasts():
    """Customers whose deliveries were recorded, edited or struck out since
    the forecasts were made, as the active deliveries' audit trail shows
    them: a look at each customer's last delivery instead would cost the
    list a query per client. The importers, which write without the trail,
    make the forecasts again after; the archive holds deliveries six months
    old, the last of customers long overdue, whom the list reads anyway."""
    made = CustomerForecast.objects.order_by().values("refreshed_at")[:1]
    trail = Delivery.history.filter(history_date__gte=Subquery(made))
    return trail.values("customer_id")


def call_ahead(day, area_group=""):
    """Client-list customers the forecast expects on `day` or the day after
    who have no open order, are not postponed and are on no run still to
    make (from today on): the office rings them before they ring."""
    window = (day, day + dt.timedelta(days=1))
    clients = Customer.objects.active().filter(origin=Customer.Origin.CLIENT_LIST)
    if area_group:
        clients = clients.filter(area__group=area_group)
    entries = entries_for(clients, day, wanted=Q(forecast__next_date__range=window))
    # Postponed on either day, they have agreed to wait.
    postponed = set(postponements_on(window[1]))
    unfilled = Order.objects.filter(status=Order.Status.OPEN)
    ordered_ids = set(unfilled.values_list("customer_id", flat=True))
    to_make = RouteStop.objects.filter(
        outcome="", route__route_date__range=(today(), window[1])
    )
    planned_ids = set(to_make.values_list("customer_id", flat=True))
    return [
        entry
        for customer_id, entry in entries.items()
        if entry.forecast
        and window[0] <= entry.forecast.next <= window[1]
        and customer_id not in ordered_ids
        and customer_id not in planned_ids
        and customer_id not in postponed
        and not (entry.postponement and entry.postponement.to_date > day)
    ]


def ordered(due):
    """The entries in the list's order: by area, time slot, then address."""
    return sorted(due.values(), key=lambda entry: entry.sort_key)


def complete(entries, day):
    """Read the entries' customers and orders in full, and whether the
    customer is closed on `day` (and their next open day if so)."""
    by_customer = {entry.customer_id: entry for entry in entries}
    customers = Customer.objects.filter(pk__in=by_customer).select_related("area")
    for customer in customers.only(*ENTRY_FIELDS):
        entry = by_customer[customer.pk]
        entry.customer = customer
        entry.closed = closed_reason(customer, day)
        if entry.closed:
            entry.next_open = next_open_day(customer, day)
    order_ids = [pk for entry in entries for pk in entry.order_ids]
    items = OrderItem.objects.select_related("product")
    orders = (
        Order.objects.filter(pk__in=order_ids)
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("requested_date", "id")
    )
    for order in orders:
        by_customer[order.customer_id].orders.append(order)
    return entries


def due_list(day, area_group="", vehicle=None):
    """Everyone due on `day`: by cycle, overdue, by phone order, or postponed
    to it, with their customers, orders, closed days and next open day."""
    return complete(ordered(due_entries(day, area_group, vehicle)), day)


def postponements_on(day, customers=None):
    """The postponement in force on `day` for each of `customers` (ids; all
    customers when None) that has one: {customer id: postponement}.

    One covers the days from its original day to the day before its new one.
    A later postponement starting within an earlier one's days replaces it:
    moved to the 10th, then to the 7th, the customer is due on the 7th.
    """
    candidates = defaultdict(list)
    rows = Postponement.objects.filter(
        from_date__lte=day,
        to_date__gte=day - dt.timedelta(days=LONGEST_POSTPONEMENT),
    ).order_by("created_at", "id")
    if customers is not None:
        rows = rows.filter(customer__in=customers)
    for postponement in rows:
        candidates[postponement.customer_id].append(postponement)
    in_force = {}
    for customer_id, made in candidates.items():
        for index, postponement in enumerate(made):
            replaced = any(
                postponement.from_date <= later.from_date <= postponement.to_date
                for later in made[index + 1 :]
            )
            if postponement.to_date >= day and not replaced:
                in_force[customer_id] = postponement
    return in_force


def postpone(customer, day, to_date, reason, user, orders=()):
    """Move a due entry, and the orders it shows, to a later day.

    Asked twice alike (a double submit), it moves nothing more and returns the
    first postponement.
    """
    with transaction.atomic():
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        same = Postponement.objects.filter(
            customer=customer, from_date=day, to_date=to_date, reason=reason
        ).first()
        if same and not any(order.requested_date <= day for order in orders):
            return same
        for order in orders:
            order.requested_date = to_date
            order.save(update_fields=["requested_date", "updated_at"])
        made = [
            Postponement(
                customer=customer,
                order=order,
                from_date=day,
                to_date=to_date,
                reason=reason,
                created_by=user,
            )
            for order in orders or [None]
        ]
        Postponement.objects.bulk_create(made)
        return made[0]
