import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Area, Customer
from deliveries.models import Delivery, DeliveryHistory
from routing.models import Driver

pytestmark = pytest.mark.django_db

URL = "/deliveries/"
DAY = dt.date(2025, 5, 21)


@pytest.fixture
def deliveries():
    south = Customer.objects.create(
        code="1984845", short_name="春風早餐", area=Area.objects.get(code="A")
    )
    north = Customer.objects.create(
        code="1500001", short_name="海風麵館", area=Area.objects.get(code="C")
    )
    driver = Driver.objects.create(code="D01", name="阿明")
    Delivery.objects.create(customer=south, delivery_date=DAY, driver=driver)
    Delivery.objects.create(customer=north, delivery_date=DAY - dt.timedelta(days=3))
    DeliveryHistory.objects.create(
        id=900, customer=north, delivery_date=dt.date(2024, 1, 2)
    )
    return driver


def codes(response):
    return [row["customer__code"] for row in response.context["history"].rows]


def test_the_history_lists_active_and_archived_deliveries_newest_first(
    office_client, deliveries
):
    response = office_client.get(URL)
    assert response.status_code == 200
    assert codes(response) == ["1984845", "1500001", "1500001"]
    assert "114/05/21" in response.text and "113/01/02" in response.text


def test_dates_are_taken_the_roc_way_or_iso(office_client, deliveries):
    roc = office_client.get(URL, {"date_from": "114/05/01", "date_to": "1140531"})
    iso = office_client.get(URL, {"date_from": "2025-05-01", "date_to": "2025-05-31"})
    assert codes(roc) == codes(iso) == ["1984845", "1500001"]


def test_the_history_filters_by_area_and_driver(office_client, deliveries):
    assert codes(office_client.get(URL, {"area": "C"})) == ["1500001", "1500001"]
    assert codes(office_client.get(URL, {"driver": deliveries.pk})) == ["1984845"]


def test_a_bad_date_is_explained_and_filters_nothing(office_client, deliveries):
    response = office_client.get(URL, {"date_from": "昨天"})
    assert "不是日期" in response.text
    assert len(codes(response)) == 3


def test_a_tampered_cursor_shows_a_message_and_the_first_page(
    office_client, deliveries
):
    response = office_client.get(URL, {"cursor": "forged:value"})
    assert response.status_code == 200
    assert "分頁位置無效，已回到第一頁" in response.text
    assert len(codes(response)) == 3


def test_every_history_page_runs_the_same_number_of_queries(office_client):
    customer = Customer.objects.create(code="1984845", area=Area.objects.get(code="A"))
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=DAY - dt.timedelta(days=n % 30))
        for n in range(350)
    )
    cursor, counts, seen = "", [], 0
    while True:
        with CaptureQueriesContext(connection) as context:
            response = office_client.get(URL, {"cursor": cursor} if cursor else {})
        counts.append(len(context.captured_queries))
        seen += len(response.context["history"].rows)
        cursor = response.context["history"].next_cursor
        if not cursor:
            break
    assert seen == 350 and len(counts) == 4
    assert len(set(counts)) == 1


def test_the_export_holds_the_filtered_history_with_roc_dates(
    office_client, deliveries
):
    response = office_client.get(reverse("deliveries:history-export"), {"area": "C"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("客戶", "電子發票抬頭", "客戶簡稱", "區域", "最後十次日期")
    assert [(row[0], row[4]) for row in rows[1:]] == [
        ("1500001", 1140518),
        ("1500001", 1130102),
    ]


def test_an_export_too_large_asks_for_a_smaller_range(
    office_client, deliveries, monkeypatch
):
    monkeypatch.setattr("deliveries.views.EXPORT_MAX_ROWS", 2)
    monkeypatch.setattr("deliveries.views.EXPORT_PAGE_SIZE", 1)

    response = office_client.get(reverse("deliveries:history-export"), follow=True)

    assert "請縮小日期範圍後再匯出" in response.text


@pytest.mark.parametrize("name", ["deliveries:history", "deliveries:history-export"])
def test_the_history_refuses_outsiders(client, driver_user, name):
    url = reverse(name)
    assert client.get(url).status_code == 302
    client.force_login(driver_user)
    assert client.get(url).status_code == 403
