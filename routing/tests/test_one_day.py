"""One day of the office's cycle, through the pages, from the due list to the upload."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from deliveries.models import Delivery, Order
from luckygas.dates import to_roc, to_roc_number, today
from routing.models import Route, Vehicle
from routing.tests.conftest import due_customer, on_site, phone_order

pytestmark = pytest.mark.django_db


def test_a_day_from_the_due_list_to_the_upload_list(
    office_client, driver_user, other_driver_user, car
):
    day = today()
    last = day - dt.timedelta(days=7)
    south = [due_customer(f"150000{n}", area="A", last=last) for n in (1, 2)]
    north = [due_customer(f"160000{n}", area="C", last=last) for n in (1, 2)]
    on_site(south[0], std20=2)
    on_site(north[0], std50=1, std4=2)
    household = Customer.objects.create(code="7000001", area=south[1].area)
    orders = [
        phone_order(household, day=day, std16=1),
        phone_order(north[1], day=day, std20=3),
    ]
    day_query = {"day": to_roc(day)}

    due = office_client.get(reverse("routing:due"), day_query)
    assert len(due.context["entries"]) == 5

    runs_url = reverse("routing:runs")
    second_car = Vehicle.objects.create(plate="ABC-5678", kind=Vehicle.Kind.CAR)
    for code, driver, vehicle in (
        ("南早", driver_user, car),
        ("北早", other_driver_user, second_car),
    ):
        office_client.post(
            f"{runs_url}?day={to_roc(day)}",
            {
                "route_code": code,
                "driver": driver.driver.pk,
                "vehicle": vehicle.pk,
                "start_time": "08:00",
            },
        )
    south_run = Route.objects.get(route_date=day, route_code="南早")
    north_run = Route.objects.get(route_date=day, route_code="北早")
    office_client.post(
        reverse("routing:route-fill", args=[south_run.pk]), {"group": "south"}
    )
    office_client.post(
        reverse("routing:route-fill", args=[north_run.pk]), {"group": "north"}
    )
    assert south_run.stops.count() == 3 and north_run.stops.count() == 2
    assert office_client.get(runs_url, day_query).context["unplanned"] == 0

    south_sheet = office_client.get(reverse("routing:sheet", args=[south_run.pk]))
    north_sheet = office_client.get(reverse("routing:sheet", args=[north_run.pk]))
    assert south_sheet.context["totals"] == {"cylinders": 3, "kg": 2 * 20 + 16}
    assert north_sheet.context["totals"] == {"cylinders": 4, "kg": 50 + 8 + 60}

    for driver, route in ((driver_user, south_run), (other_driver_user, north_run)):
        phone = Client()
        phone.force_login(driver)
        assert phone.get(reverse("routing:driver")).status_code == 200
        for entry in phone.get(route.get_driver_url()).context["planned"]:
            stop_url = reverse("routing:driver-stop", args=[entry.stop.pk])
            form = phone.get(stop_url).context["form"]
            expected = {
                delivered.html_name: delivered.initial
                for _product, delivered, _empties in form.product_rows()
                if delivered.initial
            }
            # A stop with nothing expected gets one 20 kg cylinder.
            data = {"outcome": "delivered", **(expected or {"delivered_std20": 1})}
            assert phone.post(stop_url, data).status_code == 302
        phone.post(reverse("routing:driver-finish", args=[route.pk]), {"odometer": 1})

    recorded = Delivery.objects.filter(delivery_date=day, source=Delivery.Source.APP)
    assert recorded.count() == 5
    assert {d.customer.code for d in recorded} == {
        "1500001",
        "1500002",
        "1600001",
        "1600002",
        "7000001",
    }
    for order in orders:
        order.refresh_from_db()
        assert order.status == Order.Status.DELIVERED
    assert Route.objects.filter(route_date=day, finished_at__isnull=False).count() == 2

    upload = office_client.get(reverse("deliveries:upload-list"), day_query)
    rows = {row[0]: row for row in upload.context["rows"]}
    assert set(rows) == {"1500001", "1500002", "1600001", "1600002", "7000001"}
    assert rows["7000001"][1:3] == ["D01", to_roc_number(day)]
    assert rows["1600002"][1] == "D02"
    # Tomorrow nobody of today is due again.
    tomorrow = office_client.get(
        reverse("routing:due"), {"day": to_roc(day + dt.timedelta(days=1))}
    )
    assert tomorrow.context["entries"] == []
