import datetime as dt

import pytest
from django.core import signing

from customers.models import Area, Customer
from deliveries.history import HistoryFilter, encode_cursor, history_page
from deliveries.models import Delivery, DeliveryHistory
from routing.models import Driver

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 5, 21)


@pytest.fixture
def customer():
    return Customer.objects.create(code="1984845", area=Area.objects.get(code="A"))


def walk(filters, size):
    """Every row of the history, page by page, as the office would click through."""
    seen, cursor, pages = [], "", 0
    while True:
        page = history_page(filters, cursor, size)
        assert page.notice == ""
        seen += page.rows
        pages += 1
        if not page.next_cursor:
            return seen, pages
        cursor = page.next_cursor


def test_forty_deliveries_on_one_day_walk_in_pages_of_25_without_gap_or_duplicate(
    customer,
):
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=DAY) for _ in range(40)
    )

    rows, pages = walk(HistoryFilter(customer_id=customer.id), size=25)

    ids = [row["id"] for row in rows]
    assert pages == 2
    assert len(ids) == len(set(ids)) == 40
    assert ids == sorted(ids, reverse=True)


def test_the_walk_continues_from_the_active_table_into_the_archive(customer):
    active = Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=DAY) for _ in range(40)
    )
    # Archive half of them the way the archive job does: same ids, same dates.
    for delivery in active[:20]:
        DeliveryHistory.objects.create(
            id=delivery.id, customer=customer, delivery_date=delivery.delivery_date
        )
        delivery.delete()
    older = [
        DeliveryHistory(
            id=1000 + n, customer=customer, delivery_date=DAY - dt.timedelta(days=n % 3)
        )
        for n in range(15)
    ]
    DeliveryHistory.objects.bulk_create(older)

    rows, _ = walk(HistoryFilter(customer_id=customer.id), size=25)

    keys = [(row["delivery_date"], row["id"]) for row in rows]
    assert len(keys) == len(set(keys)) == 55
    assert keys == sorted(keys, reverse=True)
    assert sum(row["archived"] for row in rows) == 35


def test_a_tampered_cursor_gives_a_message_and_the_first_page(customer):
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=DAY) for _ in range(30)
    )
    filters = HistoryFilter(customer_id=customer.id)
    cursor = history_page(filters, "", 25).next_cursor

    page = history_page(filters, cursor[:-3] + "abc", 25)

    assert page.notice == "分頁位置無效，已回到第一頁"
    assert page.first
    assert page.rows == history_page(filters, "", 25).rows


def test_a_cursor_of_other_filters_starts_over_with_a_message(customer):
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=DAY) for _ in range(30)
    )
    cursor = history_page(HistoryFilter(), "", 25).next_cursor

    page = history_page(HistoryFilter(customer_id=customer.id), cursor, 25)

    assert page.notice == "查詢條件已變更，已回到第一頁"
    assert page.first


def test_a_cursor_is_opaque(customer):
    Delivery.objects.create(customer=customer, delivery_date=DAY)
    row = {"delivery_date": DAY, "id": 12345}
    cursor = encode_cursor(row, HistoryFilter())
    assert "12345" not in cursor and "2025" not in cursor
    with pytest.raises(signing.BadSignature):
        signing.loads(cursor)


def test_filters_by_date_range_area_and_driver(customer):
    other = Customer.objects.create(code="1500001", area=Area.objects.get(code="C"))
    driver = Driver.objects.create(code="D01", name="阿明")
    Delivery.objects.create(customer=customer, delivery_date=DAY, driver=driver)
    Delivery.objects.create(
        customer=customer, delivery_date=DAY - dt.timedelta(days=40)
    )
    Delivery.objects.create(customer=other, delivery_date=DAY)
    DeliveryHistory.objects.create(
        id=500, customer=other, delivery_date=DAY - dt.timedelta(days=400)
    )

    def codes(**filters):
        return [
            row["customer__code"] for row in history_page(HistoryFilter(**filters)).rows
        ]

    assert codes(area_code="C") == ["1500001", "1500001"]
    assert codes(driver_id=driver.id) == ["1984845"]
    month = {"date_from": DAY - dt.timedelta(days=40), "date_to": DAY}
    assert codes(**month) == ["1500001", "1984845", "1984845"]
    assert codes(date_to=DAY - dt.timedelta(days=100)) == ["1500001"]


@pytest.mark.parametrize("small_area", [0, 100])
def test_an_areas_history_is_the_same_read_either_way(
    customer, monkeypatch, small_area
):
    monkeypatch.setattr("deliveries.history.SMALL_AREA", small_area)
    north = Customer.objects.create(code="1500001", area=Area.objects.get(code="C"))
    for offset in range(30):
        Delivery.objects.create(
            customer=[customer, north][offset % 2],
            delivery_date=DAY - dt.timedelta(days=offset // 3),
        )

    rows, _ = walk(HistoryFilter(area_code="A"), size=4)

    assert len(rows) == 15
    assert {row["customer__code"] for row in rows} == {"1984845"}
    keys = [(row["delivery_date"], row["id"]) for row in rows]
    assert keys == sorted(keys, reverse=True)
