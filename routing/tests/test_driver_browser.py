"""A driver on a phone, in a real Chromium: log in, open a stop, record it."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from deliveries.models import Delivery, Order
from luckygas.dates import today
from luckygas.testing.browser import login
from routing import runs
from routing.tests.conftest import due_customer, on_site, phone_order

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_WIDTH = 390


def test_a_driver_records_a_stop_on_a_phone(
    live_server, phone_page, driver_user, make_route
):
    day = today()
    ordered = due_customer(
        "1500001", last=day - dt.timedelta(days=7), phone="089-351234、0912-345678"
    )
    order = phone_order(ordered, day=day, std20=2)
    on_site(due_customer("1500002", last=day - dt.timedelta(days=7)), std50=1)
    route = make_route("南早", day=day, driver=driver_user.driver)
    runs.fill_route(route, "south")
    page = phone_page

    login(page, live_server, driver_user.username, "pw")

    expect(page.get_by_role("heading", level=1)).to_contain_text("今天")
    page.get_by_role("link", name="南早").click()
    first = page.locator(f"#stop-{route.stops.get(customer=ordered).pk}")
    expect(first.get_by_role("link", name="撥打電話")).to_have_attribute(
        "href", "tel:+88689351234"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    first.get_by_role("link", name="記錄").click()
    # The same form in a second tab, as after a lost connection.
    stale = page.context.new_page()
    stale.goto(page.url)

    expect(page.locator('input[name="delivered_std20"]')).to_have_value("2")
    page.fill('input[name="empties_std20"]', "2")
    page.fill('input[name="cash_collected"]', "1600")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    page.get_by_role("button", name="儲存").click()

    expect(page.get_by_text("已記錄：店01 已送達")).to_be_visible()
    expect(first.get_by_text("✓ 已送達")).to_be_visible()
    expect(first.get_by_role("link", name="查看")).to_be_visible()
    delivery = Delivery.objects.get(route=route)
    assert delivery.customer == ordered and delivery.cash_collected == 1600
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED

    stale.get_by_role("button", name="儲存").click()
    expect(stale.get_by_text("這一站已經記錄過了，沒有重複記錄")).to_be_visible()
    assert Delivery.objects.filter(route=route).count() == 1
