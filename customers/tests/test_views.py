import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Area, Customer
from deliveries.models import Delivery, DeliveryHistory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    south = Area.objects.get(code="A")
    north = Area.objects.get(code="C")
    return [
        Customer.objects.create(
            code="1984845", short_name="春風早餐", address="臺東市四維路1號", area=south
        ),
        Customer.objects.create(
            code="1500001", short_name="海風麵館", address="臺東市更生路9號", area=north
        ),
        Customer.objects.create(
            code="1984000",
            invoice_title="稻香民宿有限公司",
            address="卑南鄉",
            area=north,
        ),
    ]


def listed_codes(response):
    return [customer.code for customer in response.context["page"]]


@pytest.mark.parametrize("url", ["/customers/", "/customers/1984845/"])
def test_pages_send_an_anonymous_visitor_to_the_login_page(client, customers, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("url", ["/customers/", "/customers/1984845/"])
def test_pages_refuse_a_driver(driver_client, customers, url):
    assert driver_client.get(url).status_code == 403


@pytest.mark.parametrize("url", ["/customers/", "/customers/1984845/"])
def test_pages_refuse_a_user_without_a_role(client, django_user_model, customers, url):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(url).status_code == 403


def test_managers_reach_the_office_pages(manager_client, customers):
    assert manager_client.get("/customers/").status_code == 200


def test_the_list_shows_every_customer(office_client, customers):
    response = office_client.get(reverse("customers:list"))
    assert response.status_code == 200
    assert listed_codes(response) == ["1500001", "1984000", "1984845"]
    assert "春風早餐" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("1984", ["1984000", "1984845"]),
        ("1984845", ["1984845"]),
        ("海風", ["1500001"]),
        ("稻香", ["1984000"]),
        ("更生路", ["1500001"]),
        ("沒有這家", []),
    ],
)
def test_the_list_searches_by_code_name_or_address(
    office_client, customers, query, expected
):
    response = office_client.get(reverse("customers:list"), {"q": query})
    assert listed_codes(response) == expected


def test_the_list_filters_by_area(office_client, customers):
    response = office_client.get(reverse("customers:list"), {"area": "C"})
    assert listed_codes(response) == ["1500001", "1984000"]


def test_the_list_says_when_nothing_matches(office_client, customers):
    response = office_client.get(reverse("customers:list"), {"q": "沒有這家"})
    assert "找不到符合的客戶" in response.text


def test_the_customer_page_shows_its_details_and_roc_dated_deliveries(
    office_client, customers
):
    customer = customers[0]
    customer.closed_weekdays = "67"
    customer.closed_on_public_holidays = True
    customer.open_hours = [8, 9, 10, 14]
    customer.save()
    Delivery.objects.create(customer=customer, delivery_date=dt.date(2025, 5, 21))
    DeliveryHistory.objects.create(
        id=99, customer=customer, delivery_date=dt.date(2021, 1, 2)
    )

    response = office_client.get(customer.get_absolute_url())

    assert response.status_code == 200
    assert "春風早餐" in response.text
    assert "114/05/21" in response.text
    assert "110/01/02" in response.text
    assert "星期六、星期日；國定假日" in response.text
    assert "8~11、14~15" in response.text
    assert f"/reports/statement/?customer={customer.code}" in response.text


def test_the_customer_page_pages_its_history_into_the_archive(office_client, customers):
    customer = customers[0]
    for day in range(1, 16):
        Delivery.objects.create(customer=customer, delivery_date=dt.date(2025, 5, day))
        DeliveryHistory.objects.create(
            id=1000 + day, customer=customer, delivery_date=dt.date(2024, 5, day)
        )

    first = office_client.get(customer.get_absolute_url()).context["history"]
    second = office_client.get(
        customer.get_absolute_url(), {"cursor": first.next_cursor}
    ).context["history"]

    dates = [row["delivery_date"] for row in first.rows + second.rows]
    assert (len(first.rows), len(second.rows)) == (25, 5)
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 30
    assert not second.next_cursor
    assert sum(row["archived"] for row in first.rows) == 10


def test_a_tampered_cursor_on_the_customer_page_shows_a_message(
    office_client, customers
):
    response = office_client.get(customers[0].get_absolute_url(), {"cursor": "xyz"})
    assert response.status_code == 200
    assert "分頁位置無效，已回到第一頁" in response.text


def test_the_customer_page_runs_the_same_queries_however_long_the_history(
    office_client, customers
):
    customer = customers[0]

    def queries_with(deliveries):
        Delivery.objects.bulk_create(
            Delivery(customer=customer, delivery_date=dt.date(2025, 1, 1))
            for _ in range(deliveries)
        )
        with CaptureQueriesContext(connection) as context:
            office_client.get(customer.get_absolute_url())
        return len(context.captured_queries)

    assert queries_with(1) == queries_with(300) <= 8


def test_each_history_page_runs_the_same_queries(office_client, customers):
    customer = customers[0]
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=dt.date(2025, 1, 1))
        for _ in range(60)
    )
    url = customer.get_absolute_url()
    cursor, counts = "", []
    for _ in range(3):
        with CaptureQueriesContext(connection) as context:
            response = office_client.get(url, {"cursor": cursor} if cursor else {})
        counts.append(len(context.captured_queries))
        cursor = response.context["history"].next_cursor
    assert len(set(counts)) == 1


def test_an_unknown_customer_is_not_found(office_client, customers):
    assert office_client.get("/customers/9999999/").status_code == 404


def test_a_customer_known_only_from_the_history_is_marked(office_client):
    customer = Customer.objects.create(code="1234567", origin=Customer.Origin.HISTORY)
    response = office_client.get(customer.get_absolute_url())
    assert "僅見於配送紀錄" in response.text


def test_a_refusal_is_explained_in_chinese(driver_client, customers):
    response = driver_client.get("/customers/")
    assert "只開放給辦公室人員與經理" in response.content.decode()


def test_customers_from_both_imports_and_the_form_are_found_by_name(
    office_client, client_workbook, history_workbook
):
    from customers.importing import ClientListImporter
    from deliveries.importing import HistoryImporter

    row = {"客戶": 1500001, "客戶簡稱": "Sunny早餐", "地址": "台東市馬亨亨大道"}
    ClientListImporter(client_workbook([row]), verbosity=0).run()
    HistoryImporter(
        history_workbook([(1234567, "陳宅", None, "知本路3號", 1140521)]), verbosity=0
    ).run()
    edited = Customer.objects.get(code="1234567")
    edited.phone = "0912345678"
    edited.save()

    def found(query):
        response = office_client.get(reverse("customers:list"), {"q": query})
        return listed_codes(response)

    assert found("sunny") == found("SUNNY") == ["1500001"]
    assert found("亨亨") == found("臺東市馬亨") == ["1500001"]
    assert found("１５００００１") == found("1500 001") == ["1500001"]
    assert found("陳宅") == found("知本路") == ["1234567"]
    assert found("0912") == ["1234567"]


def test_the_list_puts_the_client_list_first_and_filters_by_origin(office_client):
    Customer.objects.create(code="1100001", origin=Customer.Origin.HISTORY)
    Customer.objects.create(code="1900001", origin=Customer.Origin.CLIENT_LIST)

    assert listed_codes(office_client.get("/customers/")) == ["1900001", "1100001"]
    response = office_client.get("/customers/", {"origin": "history"})
    assert listed_codes(response) == ["1100001"]
