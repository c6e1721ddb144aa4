"""Smoke test of the browser tests: sign in on a phone and see the customers."""

import pytest
from playwright.sync_api import expect

from luckygas.testing.browser import login

# The live server needs committed data; serialized_rollback brings back what the
# migrations put in (the roles' groups), which each transactional test flushes.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE_WIDTH = 390


def test_office_user_logs_in_and_sees_customers_on_a_phone(
    live_server, phone_page, office_user
):
    login(phone_page, live_server, office_user.username, "pw")

    phone_page.goto(f"{live_server.url}/customers/")
    expect(
        phone_page.get_by_role("heading", level=1, name="客戶", exact=True)
    ).to_be_visible()
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH
