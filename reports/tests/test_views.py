"""The report pages: what they show, what they export, who may open them."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from deliveries.models import Delivery, DeliveryHistory
from reports.refreshing import refresh
from reports.tests.conftest import TODAY, deliver, make_customer

pytestmark = pytest.mark.django_db

PAGES = ["daily", "monthly", "consumption", "statement"]


@pytest.fixture(autouse=True)
def taipei_today(monkeypatch):
    """The pages' today is TODAY, as if the office opened them that day."""
    for module in ("reports.views", "reports.refreshing"):
        monkeypatch.setattr(f"{module}.today", lambda: TODAY)


@pytest.fixture
def refreshed(year_of_deliveries):
    refresh("test")
    return year_of_deliveries


def workbook_rows(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def month_deliveries(month):
    end = (month + dt.timedelta(days=32)).replace(day=1)
    return sum(
        model.objects.filter(
            delivery_date__gte=month, delivery_date__lt=end, outcome="delivered"
        ).count()
        for model in (Delivery, DeliveryHistory)
    )


@pytest.mark.parametrize("page", PAGES)
def test_reports_are_for_the_office_and_managers(
    client, page, office_user, manager, driver_user
):
    url = reverse(f"reports:{page}")
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(driver_user)
    assert client.get(url).status_code == 403
    assert client.get(f"{url}?export=days").status_code == 403
    for user in (office_user, manager):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_the_monthly_report_shows_the_months_figures_and_its_chart(
    office_client, refreshed
):
    month = dt.date(2025, 5, 1)
    page = office_client.get(reverse("reports:monthly"), {"month": "114/05"})
    html = page.content.decode()

    assert f'data-figure="deliveries">{month_deliveries(month):,}<' in html
    # A bar a day for deliveries and for amounts, and one a month for the year,
    # each bar with its figure.
    assert html.count('class="bar"') == 31 + 31 + 12
    day = Delivery.objects.filter(delivery_date__month=5, outcome="delivered")
    day = day.earliest("delivery_date").delivery_date
    count = Delivery.objects.filter(delivery_date=day, outcome="delivered").count()
    assert f"<title>{day.day}：{count} 次</title>" in html
    assert "<title>每日配送次數</title>" in html
    assert "114/05 月報表" in html
    assert "數字更新於" in html


def test_the_monthly_report_defaults_to_this_month_and_reads_bad_input_as_it(
    office_client, refreshed
):
    html = office_client.get(reverse("reports:monthly")).content.decode()
    assert "114/06 月報表" in html

    html = office_client.get(reverse("reports:monthly"), {"month": "114/13"}).content
    assert "不是有效的月份" in html.decode() and "114/06 月報表" in html.decode()


def test_each_monthly_table_exports_to_excel(office_client, refreshed):
    url = reverse("reports:monthly")
    days = workbook_rows(office_client.get(url, {"month": "114/05", "export": "days"}))
    assert days[0][:2] == ["日期", "配送次數"]
    assert [row[0] for row in days[1:3]] == ["114/05/01", "114/05/02"]
    assert len(days) == 1 + 31 + 1 and days[-1][0] == "合計"
    assert days[-1][1] == month_deliveries(dt.date(2025, 5, 1))

    year = workbook_rows(office_client.get(url, {"month": "114/05", "export": "year"}))
    assert len(year) == 1 + 12 + 1
    assert year[5][1] == month_deliveries(dt.date(2025, 5, 1))
    for table in ("areas", "settlements"):
        rows = workbook_rows(office_client.get(url, {"export": table}))
        assert rows[-1][0] == "合計"


def test_the_daily_report_sums_each_run_and_product(office_client, refreshed):
    day = (
        Delivery.objects.filter(route__isnull=False, outcome="delivered")
        .latest("delivery_date")
        .delivery_date
    )
    deliveries = Delivery.objects.filter(delivery_date=day, outcome="delivered")
    url = reverse("reports:daily")
    runs = workbook_rows(
        office_client.get(url, {"day": day.isoformat(), "export": "runs"})
    )

    assert runs[0][:3] == ["車次", "司機", "配送次數"]
    by_run = {row[0]: row[2] for row in runs[1:-1]}
    for route in {d.route for d in deliveries}:
        assert by_run[route.route_code] == deliveries.filter(route=route).count()
    assert runs[-1][2] == deliveries.count()
    cash = sum(d.cash_collected or 0 for d in deliveries)
    assert runs[-1][6] == cash

    products = workbook_rows(
        office_client.get(url, {"day": day.isoformat(), "export": "products"})
    )
    cylinders = sum(i.quantity for d in deliveries for i in d.items.all())
    assert products[-1][:2] == ["合計", cylinders]
    matrix = workbook_rows(
        office_client.get(url, {"day": day.isoformat(), "export": "matrix"})
    )
    assert matrix[0][:2] == ["車次", "司機"]
    assert sum(sum(row[2:]) for row in matrix[1:-1]) == cylinders
    assert matrix[-1][0] == "合計" and sum(matrix[-1][2:]) == cylinders


def test_the_consumption_report_lists_customers_by_month(office_client, refreshed):
    html = office_client.get(reverse("reports:consumption")).content.decode()
    assert "113/07 至 114/06" in html
    for customer in refreshed:
        assert customer.code in html

    rows = workbook_rows(
        office_client.get(reverse("reports:consumption"), {"export": "customers"})
    )
    assert (
        rows[0][:4] == ["客戶", "名稱", "區域", "依據"] and len(rows[0]) == 4 + 12 + 1
    )
    assert len(rows) == 1 + len(refreshed)


def test_the_statement_lists_the_months_deliveries_and_totals(office_client, db):
    customer = make_customer("1200001", "A", "monthly")
    deliver(
        customer,
        dt.date(2025, 4, 3),
        DeliveryHistory,
        [("std20", 2, 850)],
        total_amount=1700,
    )
    deliver(
        customer,
        dt.date(2025, 4, 20),
        Delivery,
        [("std20", 1, 850), ("std50", 1, 2050)],
        total_amount=2900,
    )
    deliver(customer, dt.date(2025, 4, 21), Delivery, outcome="absent")
    deliver(
        customer, dt.date(2025, 5, 2), Delivery, [("std20", 9, 850)], total_amount=7650
    )
    url = reverse("reports:statement")
    params = {"customer": "1200001", "month": "114/04"}

    html = office_client.get(url, params).content.decode()
    assert 'data-total="amount">4,600<' in html and "114/04/03" in html
    assert "114/05/02" not in html and "合計 2 次" in html

    rows = workbook_rows(office_client.get(url, params | {"export": "xlsx"}))
    assert rows[0] == ["日期", "產品", "數量", "單價", "金額", "收現", "備註"]
    assert [row[:5] for row in rows[1:4]] == [
        ["114/04/03", "20公斤", 2, 850, 1700],
        ["114/04/20", "50公斤", 1, 2050, 2050],
        ["114/04/20", "20公斤", 1, 850, 850],
    ]
    by_label = {row[0]: row for row in rows if row and row[0]}
    assert by_label["合計"][4] == 4600 and by_label["應收"][4] == 4600
    assert by_label["客戶"][1].startswith("1200001 ")
    assert by_label["月份"][1] == "114/04" and by_label["結帳方式"][1] == "月結"


def test_the_statement_without_a_customer_lists_the_monthly_accounts(
    office_client, refreshed
):
    html = office_client.get(reverse("reports:statement"), {"month": "114/05"})
    html = html.content.decode()
    assert "?customer=1100001&amp;month=114/05" in html
    assert "1100002" not in html  # a cash customer
    rows = workbook_rows(
        office_client.get(
            reverse("reports:statement"), {"month": "114/05", "export": "accounts"}
        )
    )
    assert rows[0][0] == "客戶" and "1100001" in [row[0] for row in rows]

    html = office_client.get(reverse("reports:statement"), {"customer": "9999999"})
    assert "找不到客戶 9999999" in html.content.decode()


def test_a_page_says_when_the_reports_were_never_refreshed(office_client, db):
    html = office_client.get(reverse("reports:monthly")).content.decode()
    assert "報表還沒有更新過" in html


@pytest.mark.parametrize(
    "page, following", [("consumption", "1100002"), ("statement", "1100005")]
)
def test_long_customer_lists_come_a_page_at_a_time(
    office_client, refreshed, monkeypatch, page, following
):
    monkeypatch.setattr("reports.views.CUSTOMERS_PER_PAGE", 1)
    url = reverse(f"reports:{page}")
    params = {"month": "114/05"} if page == "statement" else {}

    first = office_client.get(url, params).content.decode()
    second = office_client.get(url, params | {"after": "1100001"}).content.decode()

    assert "1100001" in first and following not in first
    assert "after=1100001" in first
    assert following in second and ">1100001<" not in second


def test_a_statement_downloads_whatever_the_customer_code_holds(office_client, db):
    # Codes typed in the admin are free text; a sheet name may not hold "/".
    customer = make_customer("12/34", "A", "monthly")
    deliver(customer, dt.date(2025, 4, 3), items=[("std20", 1, 850)])

    response = office_client.get(
        reverse("reports:statement"),
        {"customer": "12/34", "month": "114/04", "export": "xlsx"},
    )

    assert response.status_code == 200
    assert "statement-12%2F34-114-04.xlsx" in response["Content-Disposition"]
    assert workbook_rows(response)[1][:3] == ["114/04/03", "20公斤", 1]


def test_a_bad_value_is_named_and_the_good_ones_still_apply(office_client, refreshed):
    html = office_client.get(
        reverse("reports:consumption"), {"area": "ZZ", "everyone": "on"}
    ).content.decode()
    assert "區域：沒有「ZZ」這個區域，顯示全部區域" in html

    html = office_client.get(
        reverse("reports:statement"), {"customer": "1100001", "month": "abc"}
    ).content.decode()
    assert "不是月份" in html and "，顯示 114/05" in html
    assert "幸福氣 月結對帳單" in html


@pytest.mark.parametrize("typed", ["114/05", "114-05", "114年5月", "11405", "202505"])
def test_a_month_is_read_as_the_office_types_it(office_client, db, typed):
    html = office_client.get(reverse("reports:monthly"), {"month": typed})
    assert "114/05 月報表" in html.content.decode()


def test_a_figure_the_old_history_never_had_is_blank_not_zero(office_client, refreshed):
    # Before 2024-09 the fixture's deliveries are imported: dates only.
    url = reverse("reports:monthly")
    html = office_client.get(url, {"month": "113/05"}).content.decode()
    assert '<span title="沒有金額紀錄">—</span>' in html

    year = workbook_rows(office_client.get(url, {"month": "113/05", "export": "year"}))
    may = year[5]
    assert may[0] == "113/05" and may[1] > 0
    assert may[2:7] == [None, None, None, None, None] and may[7] == may[1]


def test_links_carry_any_customer_code_intact(office_client, db):
    customer = make_customer("I&9", "A", "monthly")
    deliver(customer, dt.date(2025, 4, 3), items=[("std20", 1, 850)], total_amount=850)
    refresh("test")

    html = office_client.get(reverse("reports:statement"), {"month": "114/04"})
    assert "?customer=I%269&amp;month=114/04" in html.content.decode()
    html = office_client.get(reverse("reports:statement"), {"customer": "I&9"})
    assert (
        "I&amp;9" in html.content.decode() and "找不到客戶" not in html.content.decode()
    )
