"""Customers, vehicles and runs the routing tests plan with."""

import datetime as dt

import pytest

from customers.models import Area, Customer, CustomerCylinder
from deliveries.models import Delivery, Order, OrderItem, Product
from routing.models import Route, Vehicle

# A Tuesday with no holiday.
DAY = dt.date(2025, 5, 27)


def product(code):
    return Product.objects.get(code=code)


def due_customer(code, area="A", last=DAY - dt.timedelta(days=7), **fields):
    """A client-list customer whose weekly cycle ends on DAY."""
    fields.setdefault("address", f"臺東市測試路{code[-2:]}號")
    customer = Customer.objects.create(
        code=code,
        short_name=f"店{code[-2:]}",
        origin=Customer.Origin.CLIENT_LIST,
        max_cycle_days=7,
        area=Area.objects.get(code=area),
        **fields,
    )
    Delivery.objects.create(customer=customer, delivery_date=last)
    return customer


def on_site(customer, **quantities):
    for code, quantity in quantities.items():
        CustomerCylinder.objects.create(
            customer=customer, product=product(code), quantity=quantity
        )


def phone_order(customer, day=DAY, note="", **quantities):
    order = Order.objects.create(customer=customer, requested_date=day, note=note)
    for code, quantity in quantities.items():
        OrderItem.objects.create(order=order, product=product(code), quantity=quantity)
    return order


@pytest.fixture
def car():
    return Vehicle.objects.create(plate="ABC-1234", kind=Vehicle.Kind.CAR)


@pytest.fixture
def motorcycle():
    return Vehicle.objects.create(plate="MTR-001", kind=Vehicle.Kind.MOTORCYCLE)


@pytest.fixture
def make_route(car):
    def make(code="南早", day=DAY, start=dt.time(8), vehicle=car, driver=None):
        return Route.objects.create(
            route_date=day,
            route_code=code,
            start_time=start,
            vehicle=vehicle,
            driver=driver,
        )

    return make
