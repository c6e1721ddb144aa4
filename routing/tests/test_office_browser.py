"""The office's day in a real Chromium: find a customer, take a phone order,
read the due list, plan a run from it and print its dispatch sheet."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from deliveries.models import Order
from luckygas.dates import to_roc, today
from luckygas.testing.browser import login
from routing.models import Driver, Route, Vehicle
from routing.tests.conftest import due_customer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_from_a_phone_call_to_the_dispatch_sheet(live_server, desk_page, office_user):
    tomorrow = today() + dt.timedelta(days=1)
    # One customer due tomorrow by their cycle, one who will phone.
    due_customer("1500001", last=tomorrow - dt.timedelta(days=7))
    due_customer("1500002", last=today(), phone="089-222333")
    Driver.objects.create(code="D01", name="阿明")
    Vehicle.objects.create(plate="ABC-1234", kind=Vehicle.Kind.CAR)
    page = desk_page
    login(page, live_server, office_user.username, "pw")

    # 客戶: search as you type, open the customer.
    page.goto(f"{live_server.url}/customers/")
    page.fill("#id_q", "店02")
    page.get_by_role("link", name="1500002").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1500002")

    # 接單: find them by phone, two 20 kg cylinders for the day proposed.
    page.goto(f"{live_server.url}/orders/new/")
    page.fill("#id_q", "089-222")
    page.get_by_role("link", name="1500002").click()
    expect(page.locator("#id_requested_date")).to_have_value(to_roc(tomorrow))
    page.fill('input[name="quantity_std20"]', "2")
    page.get_by_role("button", name="儲存訂單").click()
    expect(page.get_by_text("1500002").first).to_be_visible()
    order = Order.objects.get(customer__code="1500002")
    assert order.requested_date == tomorrow and order.status == Order.Status.OPEN

    # 待配送: tomorrow's list has the cycle and the order.
    page.goto(f"{live_server.url}/routing/due/")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="1500001")).to_contain_text("預計配送")
    expect(rows.filter(has_text="1500002")).to_contain_text("新增訂單")

    # 排車次: a run for tomorrow, filled from the due list.
    page.get_by_role("link", name="排車次").click()
    page.fill("#id_route_code", "南早")
    page.select_option("#id_driver", label="D01 阿明")
    page.select_option("#id_vehicle", label="ABC-1234（汽車）")
    page.fill("#id_start_time", "08:00")
    page.get_by_role("button", name="建立車次").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("南早")
    page.select_option("#id_group", label="南區")
    page.get_by_role("button", name="排入").click()
    expect(page.get_by_text("共 2 站")).to_be_visible()
    route = Route.objects.get(route_date=tomorrow, route_code="南早")
    assert set(route.stops.values_list("customer__code", flat=True)) == {
        "1500001",
        "1500002",
    }

    # 派遣單: both stops, the ordered cylinders counted.
    page.get_by_role("link", name="派遣單（列印）").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("派遣單")
    expect(page.locator("table").first).to_contain_text("南早")
    expect(page.get_by_text("1500001")).to_be_visible()
    expect(page.get_by_text("1500002")).to_be_visible()
    expect(page.locator('[data-total="cylinders"]')).not_to_have_text("0")
