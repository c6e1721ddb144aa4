import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from customers.models import Customer
from deliveries.models import Delivery, DeliveryItem, Product
from routing.models import Driver

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 5, 21)
URL = "/deliveries/upload/"


@pytest.fixture
def day_of_deliveries():
    customer = Customer.objects.create(code="1984845")
    driver = Driver.objects.create(code="S07", name="阿明")
    recorded = Delivery.objects.create(
        customer=customer,
        driver=driver,
        delivery_date=DAY,
        delivered_at=dt.datetime(2025, 5, 21, 7, 45, tzinfo=ZoneInfo("Asia/Taipei")),
    )
    DeliveryItem.objects.create(
        delivery=recorded, product=Product.objects.get(code="std20"), quantity=2
    )
    DeliveryItem.objects.create(
        delivery=recorded, product=Product.objects.get(code="std4"), quantity=1
    )
    # Neither of these goes back into the old system.
    Delivery.objects.create(customer=customer, delivery_date=DAY, source="import")
    Delivery.objects.create(
        customer=customer, driver=driver, delivery_date=DAY, outcome="absent"
    )


def test_the_list_shows_the_days_deliveries_as_the_old_system_keys_them(
    office_client, day_of_deliveries
):
    response = office_client.get(URL, {"day": "114/05/21"})

    headers, rows = response.context["headers"], response.context["rows"]
    assert headers[:4] == ["客戶", "業務員", "日期", "時間"]
    assert len(rows) == 1
    row = dict(zip(headers, rows[0], strict=True))
    assert (row["客戶"], row["業務員"], row["日期"], row["時間"]) == (
        "1984845",
        "S07",
        1140521,
        "0745",
    )
    assert (row["20公斤"], row["4公斤"], row["50公斤"]) == (2, 1, "")


def test_the_list_downloads_as_csv_for_excel(office_client, day_of_deliveries):
    response = office_client.get(URL, {"day": "1140521", "format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff客戶,業務員,日期,時間,")
    assert "1984845,S07,1140521,0745," in text


def test_the_list_downloads_as_excel(office_client, day_of_deliveries):
    response = office_client.get(URL, {"day": "2025-05-21", "format": "xlsx"})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["上傳清單"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("1984845", "S07", 1140521, "0745")


def test_a_day_without_deliveries_says_so(office_client):
    response = office_client.get(URL, {"day": "114/05/22"})
    assert "114/05/22 沒有在本系統記錄的配送" in response.content.decode()


def test_the_upload_list_refuses_outsiders(client, driver_user):
    assert client.get(reverse("deliveries:upload-list")).status_code == 302
    client.force_login(driver_user)
    assert client.get(reverse("deliveries:upload-list")).status_code == 403
