import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from deliveries.models import Delivery, Order, Product, ProductPrice
from luckygas.dates import today
from routing import recording, runs
from routing.due import POSTPONED, due_list
from routing.models import Postponement
from routing.tests.conftest import due_customer, on_site, phone_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(make_route, driver_user):
    """Today's run of the logged-in driver: a phone order, then a regular."""
    day = today()
    ordered = due_customer(
        "1500001", last=day - dt.timedelta(days=7), phone="089-123456"
    )
    order = phone_order(ordered, day=day, std20=2)
    on_site(due_customer("1500002", last=day - dt.timedelta(days=7)), std50=1)
    route = make_route("南早", day=day, driver=driver_user.driver)
    runs.fill_route(route, "south")
    route.order = order
    return route


def stop_url(route, code):
    return reverse(
        "routing:driver-stop", args=[route.stops.get(customer__code=code).pk]
    )


DELIVERED = {
    "outcome": "delivered",
    "delivered_std20": "2",
    "empties_std20": "2",
    "cash_collected": "1700",
    "gas_returned_kg": "1.5",
    "note": "",
}


def test_the_driver_sees_todays_own_runs(
    driver_client, run, make_route, other_driver_user
):
    make_route("北早", driver=other_driver_user.driver, day=today())
    yesterday = make_route(
        "南晚", driver=run.driver, day=today() - dt.timedelta(days=1)
    )
    yesterday.finished_at = timezone.now()
    yesterday.save()

    page = driver_client.get(reverse("routing:driver")).content.decode()

    assert "南早" in page and "北早" not in page and "南晚" not in page
    route_page = driver_client.get(run.get_driver_url()).content.decode()
    assert 'href="tel:+88689123456"' in route_page
    assert "https://www.google.com/maps/search/?api=1&amp;query=" in route_page


def test_recording_a_stop_saves_the_delivery_and_closes_the_order(driver_client, run):
    response = driver_client.post(stop_url(run, "1500001"), DELIVERED, follow=True)

    delivery = Delivery.objects.get(route=run, customer__code="1500001")
    assert "已記錄：店01 已送達" in response.content.decode()
    assert (delivery.route, delivery.driver, delivery.order) == (
        run,
        run.driver,
        run.order,
    )
    assert delivery.source == Delivery.Source.APP and delivery.delivered_at
    assert delivery.cash_collected == 1700 and float(delivery.gas_returned_kg) == 1.5
    items = [
        (i.product.code, i.quantity, i.empties_collected) for i in delivery.items.all()
    ]
    assert items == [("std20", 2, 2)]
    run.order.refresh_from_db()
    assert run.order.status == Order.Status.DELIVERED
    stop = run.stops.get(customer__code="1500001")
    assert stop.outcome == "delivered" and stop.delivery_id == delivery.pk


def test_a_delivery_is_charged_at_the_prices_of_its_day(driver_client, run):
    std20 = Product.objects.get(code="std20")
    ProductPrice.objects.create(
        product=std20, valid_from=today() - dt.timedelta(days=30), unit_price=800
    )
    ProductPrice.objects.create(product=std20, valid_from=today(), unit_price=850)
    ProductPrice.objects.create(
        product=std20, valid_from=today() + dt.timedelta(days=1), unit_price=900
    )

    driver_client.post(stop_url(run, "1500001"), DELIVERED)

    delivery = Delivery.objects.get(route=run, customer__code="1500001")
    item = delivery.items.get()
    assert (item.unit_price, item.amount, delivery.total_amount) == (850, 1700, 1700)


def test_a_cylinder_without_a_price_leaves_the_total_blank(driver_client, run):
    ProductPrice.objects.create(
        product=Product.objects.get(code="std20"), valid_from=today(), unit_price=850
    )
    data = DELIVERED | {"delivered_std50": "1", "empties_std50": "1"}

    driver_client.post(stop_url(run, "1500001"), data)

    delivery = Delivery.objects.get(route=run, customer__code="1500001")
    amounts = {i.product.code: i.amount for i in delivery.items.all()}
    assert amounts == {"std20": 1700, "std50": None}
    assert delivery.total_amount is None


def test_the_form_suggests_the_expected_cylinders(driver_client, run):
    page = driver_client.get(stop_url(run, "1500002")).content.decode()
    assert 'name="delivered_std50" value="1"' in page


def test_a_double_submit_records_one_delivery(driver_client, run):
    url = stop_url(run, "1500001")
    driver_client.post(url, DELIVERED)
    again = driver_client.post(url, DELIVERED, follow=True)

    assert "這一站已經記錄過了，沒有重複記錄" in again.content.decode()
    assert Delivery.objects.filter(route=run, customer__code="1500001").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_at_once_record_one_delivery(run, driver_user):
    stop = run.stops.get(customer__code="1500001")
    data = {
        "outcome": "delivered",
        "items": {},
        "cash_collected": None,
        "gas_returned_kg": None,
        "note": "",
    }
    barrier, results = threading.Barrier(2), []

    def save():
        try:
            barrier.wait()
            results.append(recording.record_stop(stop.pk, data, driver_user)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert Delivery.objects.filter(route=run, customer__code="1500001").count() == 1


def test_a_failed_save_leaves_nothing_behind(driver_client, run, monkeypatch):
    def broken(*args):
        raise RuntimeError("the order could not be settled")

    monkeypatch.setattr(recording, "settle_order", broken)
    driver_client.raise_request_exception = False

    response = driver_client.post(stop_url(run, "1500001"), DELIVERED)

    assert response.status_code == 500
    assert not Delivery.objects.filter(route=run, customer__code="1500001").exists()
    assert run.stops.get(customer__code="1500001").outcome == ""


def test_a_delivered_stop_needs_cylinders(driver_client, run):
    url = stop_url(run, "1500001")
    empty = driver_client.post(url, {"outcome": "delivered"})
    wrong = driver_client.post(url, {**DELIVERED, "delivered_std20": "-1"})

    assert "已送達請填送達的瓶數" in empty.content.decode()
    assert "已送達請填送達的瓶數" not in wrong.content.decode()
    assert list(wrong.context["form"].errors) == ["delivered_std20"]
    assert not Delivery.objects.filter(route=run, customer__code="1500001").exists()


def test_an_absent_customer_gets_no_cylinders_whatever_the_boxes_hold(
    driver_client, run
):
    driver_client.post(stop_url(run, "1500001"), {**DELIVERED, "outcome": "absent"})

    delivery = Delivery.objects.get(route=run, customer__code="1500001")
    assert delivery.outcome == "absent" and not delivery.items.exists()


def test_cancelled_on_site_cancels_the_order(driver_client, run):
    driver_client.post(
        stop_url(run, "1500001"), {"outcome": "cancelled", "note": "老闆說不用了"}
    )
    run.order.refresh_from_db()
    assert run.order.status == Order.Status.CANCELLED
    assert run.order.cancel_reason == "老闆說不用了"


def test_an_absent_customer_stays_due(driver_client, run):
    driver_client.post(stop_url(run, "1500002"), {"outcome": "absent"})

    tomorrow = today() + dt.timedelta(days=1)
    codes = [entry.customer.code for entry in due_list(tomorrow)]
    assert "1500002" in codes
    assert Delivery.objects.get(route=run, customer__code="1500002").outcome == "absent"


def test_a_stop_postponed_on_site_comes_back_on_its_date(driver_client, run):
    later = today() + dt.timedelta(days=3)
    driver_client.post(
        stop_url(run, "1500001"),
        {"outcome": "postponed", "postpone_to": later.isoformat(), "note": "店沒開"},
    )

    postponement = Postponement.objects.get()
    assert (postponement.to_date, postponement.reason) == (later, "店沒開")
    run.order.refresh_from_db()
    assert run.order.requested_date == later and run.order.is_open
    entry = next(e for e in due_list(later) if e.customer.code == "1500001")
    assert POSTPONED in entry.sources


def test_postponing_needs_a_later_date(driver_client, run):
    response = driver_client.post(stop_url(run, "1500001"), {"outcome": "postponed"})
    assert "延後請填改送的日期" in response.content.decode()


def test_another_drivers_route_and_stops_are_not_found(client, run, other_driver_user):
    client.force_login(other_driver_user)
    assert client.get(run.get_driver_url()).status_code == 404
    url = stop_url(run, "1500001")
    assert client.get(url).status_code == 404
    assert client.post(url, DELIVERED).status_code == 404
    finish = reverse("routing:driver-finish", args=[run.pk])
    assert client.post(finish, {"odometer": "5"}).status_code == 404
    assert not Delivery.objects.filter(route=run).exists()


def test_a_run_still_out_at_midnight_stays_open_until_finished(driver_client, run):
    run.route_date = today() - dt.timedelta(days=1)
    run.save()
    assert driver_client.get(run.get_driver_url()).status_code == 200
    assert "未收車" in driver_client.get(reverse("routing:driver")).content.decode()
    driver_client.post(stop_url(run, "1500001"), DELIVERED)
    delivery = Delivery.objects.get(route=run, customer__code="1500001")
    assert delivery.delivery_date == run.route_date

    driver_client.post(reverse("routing:driver-finish", args=[run.pk]), {"odometer": 9})
    assert driver_client.get(run.get_driver_url()).status_code == 404
    run.route_date = today() - dt.timedelta(days=2)
    run.finished_at = None
    run.save()
    assert driver_client.get(run.get_driver_url()).status_code == 404


def test_the_odometer_out_cannot_change_after_the_run_ends(driver_client, run):
    start = reverse("routing:driver-start", args=[run.pk])
    driver_client.post(start, {"odometer": "100"})
    driver_client.post(
        reverse("routing:driver-finish", args=[run.pk]), {"odometer": 150}
    )

    response = driver_client.post(start, {"odometer": "900"}, follow=True)

    run.refresh_from_db()
    assert (run.odometer_out, run.odometer_in) == (100, 150)
    assert "已經收車，出車里程不能再改" in response.content.decode()


def test_driver_pages_are_for_drivers(client, office_user, run):
    assert client.get(reverse("routing:driver"))["Location"].startswith("/login/")
    client.force_login(office_user)
    assert client.get(reverse("routing:driver")).status_code == 403
    assert client.get(run.get_driver_url()).status_code == 403


def test_drivers_cannot_open_office_pages(driver_client, run):
    for url in (
        reverse("routing:runs"),
        run.get_absolute_url(),
        reverse("routing:due"),
    ):
        assert driver_client.get(url).status_code == 403
    assert driver_client.get("/")["Location"] == reverse("routing:driver")


def test_the_end_of_a_run_records_the_odometer_and_sums_up(driver_client, run):
    start = reverse("routing:driver-start", args=[run.pk])
    finish = reverse("routing:driver-finish", args=[run.pk])
    driver_client.post(start, {"odometer": "12000"})
    driver_client.post(stop_url(run, "1500001"), DELIVERED)
    driver_client.post(stop_url(run, "1500002"), {"outcome": "absent"})

    too_low = driver_client.post(finish, {"odometer": "11999"}, follow=True)
    assert "回車里程不能小於出車里程 12000 公里" in too_low.content.decode()
    page = driver_client.post(finish, {"odometer": "12042"}, follow=True)

    run.refresh_from_db()
    assert (run.odometer_out, run.odometer_in) == (12000, 12042) and run.finished_at
    summary = page.context["summary"]
    assert summary["outcomes"] == [("已送達", 1), ("客戶不在", 1)]
    assert summary["todo"] == 0 and summary["km"] == 42
    assert [(p.code, out, back) for p, out, back in summary["products"]] == [
        ("std20", 2, 2)
    ]
    assert summary["cash"] == 1700
    assert "已收車，回車里程 12042 公里" in page.content.decode()


def test_no_stop_is_recorded_after_the_run_ends(driver_client, run):
    driver_client.post(reverse("routing:driver-finish", args=[run.pk]), {"odometer": 9})

    response = driver_client.post(stop_url(run, "1500001"), DELIVERED, follow=True)

    assert "已經收車，不能再記錄" in response.content.decode()
    assert not Delivery.objects.filter(route=run, customer__code="1500001").exists()


def test_a_recorded_stop_shows_what_was_recorded(driver_client, run):
    url = stop_url(run, "1500001")
    driver_client.post(url, DELIVERED)

    page = driver_client.get(url).content.decode()

    assert '20公斤</dt><dd class="col-6">送 2，收空瓶 2' in page
    assert "1700 元" in page and "1.5 公斤" in page
