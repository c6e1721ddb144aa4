"""Runs (車次) of a day: filled from the due list, put in order, checked, printed."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

import segno
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.safestring import mark_safe

from customers.models import Area, Customer, CustomerCylinder
from customers.schedule import closed_reason
from deliveries.models import Delivery
from luckygas.dates import to_roc
from routing import due
from routing.models import Route, RouteStop, Vehicle

# The office's groups of areas, guessed from the run's name: 南早 -> south.
GROUP_BY_NAME = {"南": Area.Group.SOUTH, "北": Area.Group.NORTH, "外": Area.Group.OUTER}

# Planning assumes four stops an hour in town and three on the outer lines.
STOPS_PER_HOUR = {Area.Group.OUTER: 3}
TOWN_STOPS_PER_HOUR = 4

# A delivery this many days before a run makes its stop doubtful.
RECENT_DAYS = 3

# About this many stops fit in one run.
FULL_RUN = 25

# Hours a time slot stands for, when the sheet gives no hourly window.
SLOT_HOURS = {
    Customer.TimeSlot.MORNING: range(8, 12),
    Customer.TimeSlot.AFTERNOON: range(12, 17),
    Customer.TimeSlot.EVENING: range(17, 21),
}

# Google Maps links take an origin, a destination and waypoints: nine on a
# computer, but three in a phone's browser, where drivers open them.
MAPS_WAYPOINTS = 3
MAPS_DIRECTIONS = "https://www.google.com/maps/dir/?"
MAPS_SEARCH = "https://www.google.com/maps/search/?"


def guess_group(route_code):
    for letter, group in GROUP_BY_NAME.items():
        if letter in route_code:
            return group
    return ""


def customer_vehicles(vehicle):
    """Which customers a vehicle may serve: its own kind, and 'either'."""
    if vehicle is None:
        return None
    if vehicle.kind == Vehicle.Kind.MOTORCYCLE:
        return Customer.Vehicle.MOTORCYCLE
    return Customer.Vehicle.CAR


def planned_customer_ids(day):
    return set(
        RouteStop.objects.filter(route__route_date=day).values_list(
            "customer_id", flat=True
        )
    )


def slot_order(customer):
    """Morning, afternoon, evening, then customers who take gas all day."""
    slot = customer.time_slot
    return slot if slot in SLOT_HOURS else len(SLOT_HOURS) + 1


def unplanned_by_group(day):
    """How many due customers of the day are on no run yet, per area group."""
    return group_counts(unplanned_due(day))


def unplanned_due(day, group=""):
    """The due entries of the day (of an area group) on no run yet, unordered
    and without their customers: for counting."""
    planned = planned_customer_ids(day)
    return [
        entry for pk, entry in due.due_entries(day, group).items() if pk not in planned
    ]


def group_counts(entries):
    """(area group, number of entries), the groups in the office's order
    (南區, 北區, 外線), 未分區 last."""
    counts = Counter(entry.group for entry in entries)
    groups = [*Area.Group.values, None]
    return [
        (Area.Group(group).label if group else "未分區", counts[group])
        for group in groups
        if counts[group]
    ]


def unplanned_entries(day, group="", vehicle=None):
    """Due entries of the day on no run yet, by time slot, then address."""
    planned = planned_customer_ids(day)
    entries = [
        entry
        for entry in due.due_list(day, group, customer_vehicles(vehicle))
        if entry.customer.pk not in planned
    ]
    return sorted(
        entries,
        key=lambda entry: (slot_order(entry.customer), entry.customer.address),
    )


def append_stops(route, entries):
    """Add the entries after the run's last stop; the stops added."""
    with transaction.atomic():
        last = route.stops.aggregate(last=Max("sequence"))["last"] or 0
        stops = [
            RouteStop(
                route=route,
                sequence=last + number,
                customer=entry.customer,
                order=entry.orders[0] if entry.orders else None,
            )
            for number, entry in enumerate(entries, start=1)
        ]
        return RouteStop.objects.bulk_create(stops)


def lock_day(day):
    """Hold the day's runs until the transaction ends, so plans of one day queue up.

    SQLite needs no lock here: its transactions take the write lock at BEGIN.
    """
    list(Route.objects.select_for_update().filter(route_date=day).values("pk"))


def fill_route(route, group, limit=None):
    """Put the unplanned due entries of the group, fit for the run's vehicle, on it.

    With a limit, the run takes that many stops in all, its own included.
    """
    with transaction.atomic():
        lock_day(route.route_date)
        entries = unplanned_entries(route.route_date, group, route.vehicle)
        if limit is not None:
            entries = entries[: max(limit - route.stops.count(), 0)]
        return append_stops(route, entries)


def add_customer(route, customer):
    """Put one customer, with their open order, on the run: (stop, None).

    A customer already on a run of the day is not added: (None, that stop).
    """
    with transaction.atomic():
        lock_day(route.route_date)
        planned = (
            RouteStop.objects.filter(
                route__route_date=route.route_date, customer=customer
            )
            .select_related("route")
            .first()
        )
        if planned:
            return None, planned
        order = due.open_orders(route.route_date).filter(customer=customer).first()
        entry = due.DueEntry.of(customer, orders=[order] if order else [])
        return append_stops(route, [entry])[0], None


def renumber(route):
    stops = list(route.stops.order_by("sequence", "id"))
    for number, stop in enumerate(stops, start=1):
        stop.sequence = number
    RouteStop.objects.bulk_update(stops, ["sequence"])


def move_stop(stop, step):
    """Swap the stop with the one before (step -1) or after (step 1) it."""
    with transaction.atomic():
        renumber(stop.route)
        stops = list(stop.route.stops.order_by("sequence"))
        index = next(i for i, other in enumerate(stops) if other.pk == stop.pk)
        other = index + step
        if not 0 <= other < len(stops):
            return
        stops[index].sequence, stops[other].sequence = (
            stops[other].sequence,
            stops[index].sequence,
        )
        RouteStop.objects.bulk_update([stops[index], stops[other]], ["sequence"])


def move_to_route(stop, route):
    """Put the stop at the end of another run of the same day."""
    with transaction.atomic():
        old_route = stop.route
        last = route.stops.aggregate(last=Max("sequence"))["last"] or 0
        stop.route = route
        stop.sequence = last + 1
        stop.save(update_fields=["route", "sequence"])
        renumber(old_route)


def remove_stop(stop):
    with transaction.atomic():
        route = stop.route
        stop.delete()
        renumber(route)


@dataclass
class PlannedStop:
    """A stop with what the dispatch sheet and the warnings need."""

    stop: RouteStop
    arrival: dt.time | None = None
    items: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def customer(self):
        return self.stop.customer

    @property
    def place_link(self):
        return place_link(self.customer.address)

    @property
    def items_display(self):
        return "、".join(
            f"{product.name}×{quantity}" for product, quantity in self.items
        )


def expected_items(stops):
    """What each stop should get: its order's items, else the cylinders on site."""
    by_customer = defaultdict(list)
    without_order = [stop.customer_id for stop in stops if stop.order_id is None]
    cylinders = (
        CustomerCylinder.objects.filter(customer_id__in=without_order, quantity__gt=0)
        .select_related("product")
        .order_by("product__sort_order")
    )
    for cylinder in cylinders:
        by_customer[cylinder.customer_id].append((cylinder.product, cylinder.quantity))
    items = {}
    for stop in stops:
        if stop.order_id is not None:
            items[stop.pk] = [
                (item.product, item.quantity) for item in stop.order.items.all()
            ]
        else:
            items[stop.pk] = by_customer[stop.customer_id]
    return items


def arrival_times(route, count):
    """When the run should reach each of its stops, at the planned pace."""
    if route.start_time is None:
        return [None] * count
    group = guess_group(route.route_code)
    minutes = 60 / STOPS_PER_HOUR.get(group, TOWN_STOPS_PER_HOUR)
    start = dt.datetime.combine(route.route_date, route.start_time)
    return [(start + dt.timedelta(minutes=minutes * n)).time() for n in range(count)]


def stop_warnings(route, customer, arrival):
    warnings = []
    if customer.terminated:
        warnings.append("客戶已解約")
    if not customer.address:
        warnings.append("沒有地址，不在地圖路線裡")
    vehicle = route.vehicle
    if vehicle and customer.vehicle == Customer.Vehicle.MOTORCYCLE:
        if vehicle.kind == Vehicle.Kind.CAR:
            warnings.append("只能機車送，卻排在汽車車次")
    if vehicle and customer.vehicle == Customer.Vehicle.CAR:
        if vehicle.kind == Vehicle.Kind.MOTORCYCLE:
            warnings.append("需要汽車送，卻排在機車車次")
    if closed := closed_reason(customer, route.route_date):
        warnings.append(f"當天{closed}")
    if arrival is not None:
        hours = customer.open_hours or list(SLOT_HOURS.get(customer.time_slot, ()))
        if hours and arrival.hour not in hours:
            when = customer.open_hours_display or customer.get_time_slot_display()
            warnings.append(f"預計 {arrival:%H:%M} 到，客戶收貨時間 {when}")
    return warnings


def planned_stops(route):
    """The run's stops in order, each with its arrival, items and warnings."""
    stops = list(
        route.stops.select_related("customer__area", "order")
        .prefetch_related("order__items__product")
        .order_by("sequence")
    )
    items = expected_items(stops)
    arrivals = arrival_times(route, len(stops))
    changed = changed_since_planning(route, [stop.customer_id for stop in stops])
    planned = []
    for stop, arrival in zip(stops, arrivals, strict=True):
        warnings = stop_warnings(route, stop.customer, arrival)
        if not stop.outcome:
            warnings += changed[stop.customer_id]
        planned.append(
            PlannedStop(
                stop,
                arrival=arrival,
                items=items[stop.pk],
                warnings=warnings,
            )
        )
    return planned


def changed_since_planning(route, customer_ids):
    """Customers postponed past the run's day, or delivered a few days before it."""
    day = route.route_date
    changed = defaultdict(list)
    for customer_id, postponement in due.postponements_on(day, customer_ids).items():
        if postponement.to_date > day:
            changed[customer_id].append(f"已延後到 {to_roc(postponement.to_date)}")
    recent = (
        Delivery.objects.filter(
            customer_id__in=customer_ids,
            outcome=Delivery.Outcome.DELIVERED,
            delivery_date__range=(day - dt.timedelta(days=RECENT_DAYS), day),
        )
        .exclude(route=route)
        .values("customer_id")
        .annotate(last=Max("delivery_date"))
    )
    for row in recent:
        changed[row["customer_id"]].append(f"{to_roc(row['last'])} 已送過")
    return changed


def sheet_totals(planned):
    """The dispatch sheet's footer: cylinders (small sizes left out) and total kg."""
    cylinders = kg = 0
    for entry in planned:
        for product, quantity in entry.items:
            if product.counts_in_cylinder_total:
                cylinders += quantity
            kg += product.kg * quantity
    return {"cylinders": cylinders, "kg": kg}


def directions_links(addresses):
    """Google Maps directions through the addresses, one link per four stops.

    The first link starts where the phone is; each further link starts at the
    previous link's last stop.
    """
    addresses = [address for address in addresses if address]
    links, start, origin = [], 0, None
    while start < len(addresses):
        chunk = addresses[start : start + MAPS_WAYPOINTS + 1]
        params = {"api": "1", "travelmode": "driving", "destination": chunk[-1]}
        if origin:
            params["origin"] = origin
        if len(chunk) > 1:
            params["waypoints"] = "|".join(chunk[:-1])
        links.append(MAPS_DIRECTIONS + urlencode(params))
        origin = chunk[-1]
        start += len(chunk)
    return links


# A run's links change only when its stops do; drawing a code takes tens of ms.
@lru_cache(maxsize=128)
def qr_code(link):
    """The link as an inline SVG QR code, for a phone to scan off the paper."""
    return mark_safe(segno.make(link, error="l").svg_inline(scale=2, border=2))


def place_link(address):
    return MAPS_SEARCH + urlencode({"api": "1", "query": address})


def with_progress(routes):
    """Each run with its number of stops, and of stops recorded."""
    return routes.annotate(
        stop_count=Count("stops"),
        done_count=Count("stops", filter=~Q(stops__outcome="")),
    )


def routes_of_days(days):
    return (
        Route.objects.filter(route_date__in=days)
        .select_related("driver", "vehicle")
        .order_by("route_date", "start_time", "route_code")
    )


def routes_of(day):
    return routes_of_days([day])
