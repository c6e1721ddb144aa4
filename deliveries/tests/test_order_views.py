import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer, CustomerCylinder
from deliveries.models import Delivery, Order, OrderItem, Product
from luckygas import dates

pytestmark = pytest.mark.django_db

# A Friday: the next day a Saturday-and-Sunday-closed customer is open is Monday.
FRIDAY = dt.date(2025, 5, 23)


@pytest.fixture(autouse=True)
def on_friday(monkeypatch):
    monkeypatch.setattr(dates, "today", lambda: FRIDAY)
    for module in ("deliveries.views", "deliveries.forms"):
        monkeypatch.setattr(f"{module}.today", lambda: FRIDAY)


@pytest.fixture
def customer():
    customer = Customer.objects.create(
        code="1984845",
        short_name="稻香熱炒",
        address="臺東市更生路24號",
        phone="089-345678",
        closed_weekdays="67",
        time_slot=Customer.TimeSlot.AFTERNOON,
        open_hours=[13, 14, 15],
    )
    CustomerCylinder.objects.create(
        customer=customer, product=Product.objects.get(code="std20"), quantity=2
    )
    Delivery.objects.create(customer=customer, delivery_date=dt.date(2025, 5, 10))
    return customer


def order_data(**changes):
    data = {
        "token": str(uuid.uuid4()),
        "requested_date": "114/05/26",
        "time_slot": "2",
        "note": "下午三點後",
        "quantity_std20": "2",
    }
    data.update(changes)
    return data


def intake_url(customer):
    return f"{reverse('deliveries:order-create')}?customer={customer.code}"


@pytest.mark.parametrize("query", ["稻香", "1984", "345678"])
def test_the_intake_finds_a_customer_by_part_of_name_code_or_phone(
    office_client, customer, query
):
    response = office_client.get(
        reverse("deliveries:order-create"), {"q": query, "partial": "1"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert intake_url(customer) in response.text


def test_the_intake_shows_the_customer_and_proposes_the_next_open_day(
    office_client, customer
):
    response = office_client.get(intake_url(customer))

    assert response.status_code == 200
    assert response.context["form"]["requested_date"].value() == dt.date(2025, 5, 26)
    assert 'value="114/05/26"' in response.text
    assert response.context["form"]["time_slot"].value() == Customer.TimeSlot.AFTERNOON
    assert "114/05/10" in response.text  # the last delivery
    assert "20公斤×2" in response.text  # the usual cylinders
    assert "13~16" in response.text


def test_a_phone_order_is_saved_and_shows_in_the_days_list(office_client, customer):
    response = office_client.post(intake_url(customer), order_data(), follow=True)

    order = Order.objects.get()
    assert order.customer == customer and order.status == Order.Status.OPEN
    assert order.requested_date == dt.date(2025, 5, 26)
    assert [(i.product.code, i.quantity) for i in order.items.all()] == [("std20", 2)]
    assert response.context["day"] == dt.date(2025, 5, 26)
    assert list(response.context["orders"]) == [order]
    assert "已接單：1984845 稻香熱炒，114/05/26 配送" in response.text


def test_a_double_submit_saves_one_order(office_client, customer):
    data = order_data()
    office_client.post(intake_url(customer), data)
    response = office_client.post(intake_url(customer), data, follow=True)

    assert Order.objects.count() == 1
    assert OrderItem.objects.count() == 1
    assert "這張訂單剛才已經儲存過" in response.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity_std20": ""}, "請至少填一項產品的數量"),
        ({"quantity_std20": "-1"}, "請確認此數值是否大於或等於 0"),
        ({"requested_date": "114/05/22"}, "配送日不能早於今天（114/05/23）"),
        ({"requested_date": "明天"}, "不是日期"),
        ({"requested_date": "1140231"}, "不是有效的日期"),
    ],
)
def test_a_bad_order_is_refused_with_a_reason(
    office_client, customer, changes, message
):
    response = office_client.post(intake_url(customer), order_data(**changes))

    assert response.status_code == 200
    assert message in response.text
    assert not Order.objects.exists()


def test_the_date_may_be_written_the_iso_way(office_client, customer):
    office_client.post(intake_url(customer), order_data(requested_date="2025-05-27"))
    assert Order.objects.get().requested_date == dt.date(2025, 5, 27)


def test_an_order_on_a_closed_day_is_saved_with_a_warning(office_client, customer):
    response = office_client.post(
        intake_url(customer), order_data(requested_date="114/05/24"), follow=True
    )
    assert Order.objects.exists()
    assert "注意：客戶當天公休（星期六）" in response.text


def test_an_existing_open_order_is_pointed_out(office_client, customer):
    office_client.post(intake_url(customer), order_data())
    response = office_client.get(intake_url(customer))
    assert "已有待配送訂單" in response.text


def test_an_order_can_be_edited(office_client, customer):
    office_client.post(intake_url(customer), order_data())
    order = Order.objects.get()

    url = reverse("deliveries:order-edit", args=[order.pk])
    assert 'value="2"' in office_client.get(url).text
    office_client.post(url, order_data(quantity_std20="", quantity_std50="1"))

    order.refresh_from_db()
    assert [(i.product.code, i.quantity) for i in order.items.all()] == [("std50", 1)]


def test_an_order_is_cancelled_with_a_reason(office_client, customer):
    office_client.post(intake_url(customer), order_data())
    order = Order.objects.get()
    url = reverse("deliveries:order-cancel", args=[order.pk])

    refused = office_client.post(url, {"reason": ""})
    assert refused.status_code == 200 and Order.objects.get().is_open

    office_client.post(url, {"reason": "客戶改天再叫"})
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.cancel_reason == "客戶改天再叫"


def test_a_cancelled_order_cannot_be_changed(office_client, customer):
    office_client.post(intake_url(customer), order_data())
    order = Order.objects.get()
    office_client.post(
        reverse("deliveries:order-cancel", args=[order.pk]), {"reason": "重複"}
    )

    response = office_client.post(
        reverse("deliveries:order-edit", args=[order.pk]), order_data(), follow=True
    )
    assert "這張訂單已取消，不能再修改" in response.text


def test_the_order_list_filters_by_day_and_status(office_client, customer):
    office_client.post(intake_url(customer), order_data())
    office_client.post(intake_url(customer), order_data(requested_date="114/05/27"))
    first = Order.objects.get(requested_date=dt.date(2025, 5, 26))
    first.status = Order.Status.CANCELLED
    first.save()

    url = reverse("deliveries:order-list")
    assert list(office_client.get(url, {"day": "114/05/26"}).context["orders"]) == [
        first
    ]
    assert (
        office_client.get(url, {"day": "114/05/26", "status": "open"})
        .context["orders"]
        .count()
        == 0
    )
    # Without a day, the list shows tomorrow's orders.
    assert office_client.get(url).context["day"] == dt.date(2025, 5, 24)


def test_the_order_list_runs_the_same_queries_however_many_orders(
    office_client, customer
):
    url = reverse("deliveries:order-list")

    def queries_with(orders):
        for _ in range(orders):
            office_client.post(intake_url(customer), order_data(quantity_std50="1"))
        with CaptureQueriesContext(connection) as context:
            office_client.get(url, {"day": "114/05/26"})
        return len(context.captured_queries)

    assert queries_with(1) == queries_with(10)


@pytest.mark.parametrize(
    "url",
    [
        "/orders/",
        "/orders/new/",
        "/orders/new/?customer=1984845",
        "/orders/1/edit/",
        "/orders/1/cancel/",
    ],
)
def test_order_pages_refuse_outsiders(client, driver_user, customer, url):
    Order.objects.create(id=1, customer=customer)
    assert client.get(url).status_code == 302
    client.force_login(driver_user)
    assert client.get(url).status_code == 403
    assert client.post(url, order_data()).status_code == 403
    assert Order.objects.count() == 1


def test_the_search_page_says_when_nothing_is_found(office_client, customer):
    response = office_client.get(reverse("deliveries:order-create"), {"q": "沒有這家"})
    assert re.search("找不到「沒有這家」的客戶", response.text)


def test_an_order_made_outside_the_intake_shows_in_the_list(office_client, customer):
    Order.objects.create(customer=customer, requested_date=dt.date(2025, 5, 26))
    response = office_client.get(reverse("deliveries:order-list"), {"day": "114/05/26"})
    assert response.status_code == 200
    assert "1984845" in response.text
