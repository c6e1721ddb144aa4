"""A manager in a real Chromium: this month's report, its chart, its Excel."""

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from luckygas.dates import today
from luckygas.testing.browser import login
from reports.refreshing import refresh
from reports.tests.conftest import deliver, make_customer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_manager_reads_this_months_chart_and_opens_its_excel(
    live_server, desk_page, manager, tmp_path
):
    customer = make_customer("1400001", "A", "cash")
    first = today().replace(day=1)
    for offset, count in ((0, 2), (1, 3)):
        for _ in range(count):
            deliver(
                customer,
                first + dt.timedelta(days=offset),
                items=[("std20", 1, 850)],
                total_amount=850,
                cash_collected=850,
            )
    refresh("test")
    page = desk_page

    login(page, live_server, manager.username, "pw")
    page.get_by_role("link", name="報表").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("月報表")
    expect(page.locator('[data-figure="deliveries"]')).to_have_text("5")
    chart = page.get_by_role("img", name="每日配送次數")
    expect(chart).to_be_visible()
    expect(chart.locator("rect.bar").nth(1)).to_contain_text("2：3 次")
    assert chart.locator("rect.bar").nth(1).bounding_box()["height"] > 0

    days = page.locator(
        "section", has=page.get_by_role("heading", name="每日配送與金額")
    )
    with page.expect_download() as download:
        days.get_by_role("link", name="匯出 Excel").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("日期", "配送次數")
    assert rows[2][1] == 3 and rows[-1][:2] == ("合計", 5)
