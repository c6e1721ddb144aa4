"""The forecast as the office reads it on a phone: tomorrow's due list with
its 預測 column, and 預先聯絡 with a number to ring and an order to take."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from customers.models import Area, Customer
from deliveries.models import Delivery
from luckygas.dates import to_roc, today
from luckygas.testing.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def weekly(code, last, phone=""):
    """A client taking gas every week for half a year; the sheet says 14 days."""
    customer = Customer.objects.create(
        code=code,
        short_name=f"店{code[-2:]}",
        origin=Customer.Origin.CLIENT_LIST,
        max_cycle_days=14,
        area=Area.objects.get(code="A"),
        phone=phone,
    )
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=last - dt.timedelta(weeks=weeks))
        for weeks in range(26)
    )


def test_tomorrows_forecasts_and_who_to_ring_on_a_phone(
    live_server, phone_page, office_user
):
    tomorrow = today() + dt.timedelta(days=1)
    # Expected tomorrow by their own rhythm, not by the sheet's fortnight.
    weekly("1500001", last=tomorrow - dt.timedelta(days=7), phone="0912-345678")
    call_command("refresh_forecasts", stdout=StringIO())
    page = phone_page
    login(page, live_server, office_user.username, "pw")

    page.goto(f"{live_server.url}/routing/due/")
    row = page.locator("tbody tr").filter(has_text="1500001")
    expect(row).to_contain_text(to_roc(tomorrow))
    expect(row).to_contain_text("信心：高")
    sheet = tomorrow + dt.timedelta(days=7)
    expect(row).to_contain_text(f"表單 {to_roc(sheet)}")
    # The forecast is on the screen without scrolling sideways.
    expect(row.get_by_text("信心：高")).to_be_in_viewport(ratio=1)

    page.get_by_role("link", name="預先聯絡").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("預先聯絡")
    ring = page.get_by_role("link", name="0912-345678")
    expect(ring).to_have_attribute("href", "tel:+886912345678")
    expect(ring).to_be_in_viewport()
    page.get_by_role("link", name="接單…").click()
    expect(page.get_by_text("1500001").first).to_be_visible()
    expect(page.locator("#id_requested_date")).to_have_value(to_roc(tomorrow))
