"""Who created, changed or cancelled each customer, order, run and delivery,
and when: kept by django-simple-history, read by managers in the admin."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from customers.tests.test_customer_form import form_data
from deliveries.models import Delivery, Order
from luckygas.dates import to_roc, today
from routing import runs
from routing.models import Route, Vehicle
from routing.tests.conftest import due_customer, phone_order
from routing.tests.test_driver import DELIVERED

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_order_keeps_who_took_it_changed_it_and_cancelled_it(
    office_user, django_user_model
):
    customer = due_customer("1500001", last=today() - dt.timedelta(days=3))
    other = django_user_model.objects.create_user("office2", password="pw")
    other.groups.add(*office_user.groups.all())
    intake = f"{reverse('deliveries:order-create')}?customer={customer.code}"
    order_form = {
        "token": str(uuid.uuid4()),
        "requested_date": to_roc(today() + dt.timedelta(days=1)),
        "quantity_std20": "2",
    }

    signed_in(office_user).post(intake, order_form)
    order = Order.objects.get()
    edit = reverse("deliveries:order-edit", args=[order.pk])
    signed_in(other).post(edit, {**order_form, "note": "下午"})
    cancel = reverse("deliveries:order-cancel", args=[order.pk])
    signed_in(office_user).post(cancel, {"reason": "客戶改天再叫"})

    versions = list(order.history.order_by("history_date"))
    assert [v.history_type for v in versions] == ["+", "~", "~"]
    assert [v.history_user for v in versions] == [office_user, other, office_user]
    assert versions[1].note == "下午"
    assert versions[2].status == Order.Status.CANCELLED
    assert versions[2].cancel_reason == "客戶改天再叫"


def test_a_customer_edit_and_a_new_run_keep_who_made_them(office_user):
    office = signed_in(office_user)
    office.post(reverse("customers:create"), form_data())
    customer = Customer.objects.get(code="1984845")
    office.post(
        reverse("customers:edit", args=[customer.code]),
        form_data(short_name="春風早午餐"),
    )
    Vehicle.objects.create(plate="ABC-1234", kind=Vehicle.Kind.CAR)
    office.post(
        reverse("routing:runs") + f"?day={to_roc(today())}",
        {"route_code": "南早", "start_time": "08:00"},
    )

    changes = customer.history.order_by("history_date")
    assert [(v.history_type, v.short_name) for v in changes] == [
        ("+", "春風早餐"),
        ("~", "春風早午餐"),
    ]
    assert {v.history_user for v in changes} == {office_user}
    route = Route.objects.get(route_code="南早")
    assert route.history.get().history_user == office_user


def test_a_recorded_stop_keeps_its_driver_as_who_made_the_delivery(
    driver_user, make_route
):
    customer = due_customer("1500001", last=today() - dt.timedelta(days=7))
    phone_order(customer, day=today(), std20=2)
    route = make_route("南早", day=today(), driver=driver_user.driver)
    runs.fill_route(route, "south")
    stop = route.stops.get()

    signed_in(driver_user).post(
        reverse("routing:driver-stop", args=[stop.pk]), DELIVERED
    )

    delivery = Delivery.objects.get(route=route)
    assert delivery.history.get().history_user == driver_user


def test_managers_read_an_orders_history_in_the_admin(office_user, manager_client):
    customer = due_customer("1500001", last=today() - dt.timedelta(days=3))
    intake = f"{reverse('deliveries:order-create')}?customer={customer.code}"
    signed_in(office_user).post(
        intake,
        {
            "token": str(uuid.uuid4()),
            "requested_date": to_roc(today() + dt.timedelta(days=1)),
            "quantity_std20": "1",
        },
    )
    order = Order.objects.get()

    page = manager_client.get(
        reverse("admin:deliveries_order_history", args=[order.pk])
    ).content.decode()

    assert "office" in page  # who
    assert to_roc(today()) in page or str(today().year) in page  # when
