"""What a driver records at a stop, and at the end of a run."""

from collections import Counter
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from deliveries.models import Delivery, DeliveryItem, Order, ProductPrice
from routing import due
from routing.models import RouteStop

Outcome = Delivery.Outcome


def record_stop(stop_id, data, user):
    """Record the stop's delivery and settle its order, all or nothing.

    Returns (stop, recorded). A stop is recorded once: a double tap, or a form
    sent again after a lost connection, finds it done and records nothing.
    """
    with transaction.atomic():
        stop = (
            RouteStop.objects.select_for_update(of=("self",))
            .select_related("route__driver", "customer", "order")
            .get(pk=stop_id)
        )
        if stop.outcome:
            return stop, False
        route, outcome = stop.route, data["outcome"]
        now = timezone.now()
        items = priced_items(data["items"], route.route_date)
        delivery = Delivery.objects.create(
            customer=stop.customer,
            delivery_date=route.route_date,
            delivered_at=now,
            driver=route.driver,
            route=route,
            order=stop.order,
            outcome=outcome,
            total_amount=total_amount(items),
            cash_collected=data["cash_collected"],
            gas_returned_kg=data["gas_returned_kg"],
            note=data["note"],
            source=Delivery.Source.APP,
        )
        for item in items:
            item.delivery = delivery
        DeliveryItem.objects.bulk_create(items)
        settle_order(stop, outcome, data, user)
        stop.outcome, stop.completed_at, stop.delivery = outcome, now, delivery
        stop.save(update_fields=["outcome", "completed_at", "delivery"])
    return stop, True


def priced_items(quantities, day):
    """The delivery's items at the prices in force on the day; an item of a
    product without a price keeps its price and amount blank."""
    prices = ProductPrice.objects.in_force(day)
    items = []
    for product, (quantity, empties) in quantities.items():
        price = prices.get(product.pk)
        items.append(
            DeliveryItem(
                product=product,
                quantity=quantity,
                empties_collected=empties,
                unit_price=price,
                amount=None if price is None else price * quantity,
            )
        )
    return items


def total_amount(items):
    """What the delivery costs: blank when nothing was delivered or when a
    cylinder delivered has no price, rather than a total that leaves it out."""
    charged = [item for item in items if item.quantity]
    if not charged or any(item.amount is None for item in charged):
        return None
    return sum(item.amount for item in charged)


def settle_order(stop, outcome, data, user):
    """Delivered closes the order, cancelled cancels it, postponed moves it."""
    order = stop.order
    if outcome == Outcome.POSTPONED:
        reason = data["note"] or "司機現場延後"
        due.postpone(
            stop.customer,
            stop.route.route_date,
            data["postpone_to"],
            reason,
            user,
            [order] if order and order.is_open else [],
        )
        return
    if order is None or not order.is_open:
        return
    if outcome == Outcome.DELIVERED:
        order.status = Order.Status.DELIVERED
        order.save(update_fields=["status", "updated_at"])
    elif outcome == Outcome.CANCELLED:
        order.status = Order.Status.CANCELLED
        order.cancel_reason = data["note"] or "現場取消"
        order.save(update_fields=["status", "cancel_reason", "updated_at"])


def finish_route(route, odometer_in):
    route.odometer_in = odometer_in
    route.finished_at = timezone.now()
    route.save(update_fields=["odometer_in", "finished_at"])


def route_summary(route, stops):
    """What the run did: stops by outcome, cylinders out and back, cash, km."""
    outcomes = Counter(stop.outcome for stop in stops if stop.outcome)
    delivered, empties = Counter(), Counter()
    cash, returned = Decimal(0), Decimal(0)
    deliveries = Delivery.objects.filter(route=route).prefetch_related("items__product")
    for delivery in deliveries:
        cash += delivery.cash_collected or 0
        returned += delivery.gas_returned_kg or 0
        for item in delivery.items.all():
            delivered[item.product] += item.quantity
            empties[item.product] += item.empties_collected
    products = sorted(
        set(delivered) | set(empties), key=lambda product: product.sort_order
    )
    km = None
    if route.odometer_in is not None and route.odometer_out is not None:
        km = route.odometer_in - route.odometer_out
    return {
        "outcomes": [
            (label, outcomes[value])
            for value, label in Outcome.choices
            if outcomes[value]
        ],
        "todo": sum(1 for stop in stops if not stop.outcome),
        "products": [
            (product, delivered[product], empties[product]) for product in products
        ],
        "cash": cash,
        "gas_returned_kg": returned,
        "km": km,
    }
