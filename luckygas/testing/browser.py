"""Browser tests: Playwright driving Debian's chromium at a phone's viewport.

The root conftest.py registers these fixtures. A browser test asks for
``live_server`` and ``phone_page``, is marked ``browser`` and
``django_db(transaction=True, serialized_rollback=True)``, and signs in with
``login``.
"""

import os

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

# Debian's package; Playwright cannot download its own browser here.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """Headless chromium for the session; missing chromium skips the browser
    tests, or fails them when REQUIRE_BROWSER is set (as in CI)."""
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"chromium is not installed at {CHROMIUM}"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's event loop in the test thread makes Django refuse ORM calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Playwright switches the context Django keeps its connections in; the
    # new connections need the snapshot that serialized rollbacks restore.
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        for alias, snapshot in snapshots.items():
            connections[alias]._test_serialized_contents = snapshot
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    """A page in a fresh context the size of a phone, in Traditional Chinese."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-TW",
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def desk_page(browser):
    """A page in a fresh context the size of an office screen; downloads kept."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-TW", accept_downloads=True
    )
    yield context.new_page()
    context.close()


def login(page, live_server, username, password):
    """Sign in through the real login page and wait to be sent on."""
    login_url = f"{live_server.url}/login/"
    page.goto(login_url)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.get_by_role("button", name="登入").click()
    expect(page).not_to_have_url(login_url)
