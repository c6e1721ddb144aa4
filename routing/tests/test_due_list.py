import datetime as dt

import pytest
from django.urls import reverse

from customers.models import Area, Customer
from deliveries.models import Delivery, Order, OrderItem, Product
from routing.due import CYCLE, ORDER, OVERDUE, POSTPONED, due_list
from routing.models import Postponement

pytestmark = pytest.mark.django_db

# A Saturday, and the Saturday before the Lunar New Year holidays of 2026.
SATURDAY = dt.date(2025, 5, 24)


def client_customer(code, last=None, cycle=7.0, **fields):
    customer = Customer.objects.create(
        code=code,
        origin=Customer.Origin.CLIENT_LIST,
        max_cycle_days=cycle,
        area=fields.pop("area", Area.objects.get(code="A")),
        **fields,
    )
    if last:
        Delivery.objects.create(customer=customer, delivery_date=last)
    return customer


def entry_for(day, code, **filters):
    entries = {entry.customer.code: entry for entry in due_list(day, **filters)}
    return entries.get(code)


def test_a_customer_is_due_on_the_day_their_cycle_ends_and_overdue_after():
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    client_customer("1500002", last=SATURDAY - dt.timedelta(days=9))
    client_customer("1500003", last=SATURDAY - dt.timedelta(days=3))

    assert entry_for(SATURDAY, "1500001").sources == [CYCLE]
    assert entry_for(SATURDAY, "1500002").sources == [OVERDUE]
    assert entry_for(SATURDAY, "1500003") is None


def test_without_a_cycle_in_the_sheet_the_customers_own_rhythm_is_used():
    customer = client_customer("1500001", cycle=None)
    for weeks_ago in (4, 3, 2, 1):
        Delivery.objects.create(
            customer=customer, delivery_date=SATURDAY - dt.timedelta(weeks=weeks_ago)
        )

    entry = entry_for(SATURDAY, "1500001")
    assert entry.cycle_days == 7 and entry.sources == [CYCLE]


def test_a_phone_order_puts_any_customer_on_the_list():
    household = Customer.objects.create(code="1234567", origin=Customer.Origin.HISTORY)
    order = Order.objects.create(customer=household, requested_date=SATURDAY)
    OrderItem.objects.create(
        order=order, product=Product.objects.get(code="std20"), quantity=1
    )

    entry = entry_for(SATURDAY, "1234567")
    assert entry.sources == [ORDER] and entry.orders == [order]


@pytest.mark.parametrize(
    ("rules", "day", "closed", "next_open"),
    [
        ({"closed_weekdays": "67"}, SATURDAY, "公休（星期六）", dt.date(2025, 5, 26)),
        (
            {"closed_on_public_holidays": True},
            dt.date(2025, 10, 10),
            "見紅休（國慶日）",
            dt.date(2025, 10, 11),
        ),
        (
            {"closed_lunar_days": "1,15"},
            dt.date(2026, 2, 17),
            "農曆初一公休",
            dt.date(2026, 2, 18),
        ),
    ],
)
def test_a_customer_closed_that_day_is_marked_with_the_next_open_day(
    rules, day, closed, next_open
):
    client_customer("1500001", last=day - dt.timedelta(days=7), **rules)

    entry = entry_for(day, "1500001")
    assert (entry.closed, entry.next_open) == (closed, next_open)


def test_closed_day_text_that_could_not_be_read_is_flagged(office_client):
    client_customer(
        "1500001", last=SATURDAY - dt.timedelta(days=7), closed_days_unparsed="(14)"
    )
    response = office_client.get(reverse("routing:due"), {"day": "114/05/24"})
    assert "公休日待確認：(14)" in response.content.decode()


def test_the_list_filters_by_area_group_and_vehicle():
    last = SATURDAY - dt.timedelta(days=7)
    client_customer("1500001", last=last, vehicle=Customer.Vehicle.CAR)
    client_customer("1500002", last=last, vehicle=Customer.Vehicle.MOTORCYCLE)
    client_customer(
        "1500003",
        last=last,
        vehicle=Customer.Vehicle.EITHER,
        area=Area.objects.get(code="C"),
    )

    def codes(**filters):
        return sorted(entry.customer.code for entry in due_list(SATURDAY, **filters))

    assert codes(area_group="south") == ["1500001", "1500002"]
    assert codes(area_group="north") == ["1500003"]
    assert codes(vehicle=Customer.Vehicle.MOTORCYCLE) == ["1500002", "1500003"]


def test_a_postponed_entry_leaves_the_list_and_comes_back_on_its_date(office_client):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    monday = SATURDAY + dt.timedelta(days=2)

    response = office_client.post(
        reverse("routing:postpone"),
        {
            "customer": "1500001",
            "day": "114/05/24",
            "to_date": "114/05/26",
            "reason": "店休到週一",
        },
        follow=True,
    )

    assert "已延後：1500001" in response.content.decode()
    assert entry_for(SATURDAY, "1500001") is None
    assert entry_for(SATURDAY + dt.timedelta(days=1), "1500001") is None
    back = entry_for(monday, "1500001")
    assert back.sources == [POSTPONED] and back.postponement.reason == "店休到週一"


def test_postponing_an_order_moves_it(office_client):
    customer = client_customer("1500001")
    order = Order.objects.create(customer=customer, requested_date=SATURDAY)
    office_client.post(
        reverse("routing:postpone"),
        {
            "customer": "1500001",
            "order": order.pk,
            "day": "114/05/24",
            "to_date": "114/05/27",
            "reason": "老闆生病",
        },
    )
    order.refresh_from_db()
    assert order.requested_date == dt.date(2025, 5, 27)
    assert entry_for(dt.date(2025, 5, 27), "1500001").sources == [POSTPONED, ORDER]


def test_the_due_list_links_each_entry_to_its_postpone_form(office_client):
    customer = client_customer("1500001", closed_weekdays="7")
    order = Order.objects.create(customer=customer, requested_date=SATURDAY)
    due = office_client.get(reverse("routing:due"), {"day": "114/05/24"})
    link = f"?customer=1500001&amp;day=114%2F05%2F24&amp;order={order.pk}"
    assert link in due.content.decode()

    page = office_client.get(
        reverse("routing:postpone"),
        {"customer": "1500001", "day": "114/05/24", "order": order.pk},
    )

    form = page.context["form"]
    assert page.context["order"] == order
    # Closed on Sundays: the next open day after Saturday is Monday.
    assert form.initial["to_date"] == SATURDAY + dt.timedelta(days=2)
    assert form.initial["order"] == order.pk and form.initial["day"] == SATURDAY


@pytest.mark.parametrize("order", ["abc", "99999999999999999999", "²", "12345"])
def test_the_postpone_form_ignores_an_order_that_is_not_the_customers(
    office_client, order
):
    client_customer("1500001")
    page = office_client.get(
        reverse("routing:postpone"), {"customer": "1500001", "order": order}
    )
    assert page.status_code == 200 and page.context["order"] is None


def test_the_postpone_form_of_an_unknown_customer_is_not_found(office_client):
    page = office_client.get(reverse("routing:postpone"), {"customer": "9999999"})
    assert page.status_code == 404


def test_a_postponement_to_an_earlier_day_is_refused(office_client):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    response = office_client.post(
        reverse("routing:postpone"),
        {
            "customer": "1500001",
            "day": "114/05/24",
            "to_date": "114/05/23",
            "reason": "x",
        },
        follow=True,
    )
    assert "延後的日期要晚於 114/05/24" in response.content.decode()
    assert response.context["day"] == SATURDAY
    assert not Postponement.objects.exists()


def test_the_page_lists_tomorrow_by_default(office_client, monkeypatch):
    monkeypatch.setattr("routing.views.today", lambda: SATURDAY - dt.timedelta(days=1))
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))

    response = office_client.get(reverse("routing:due"))

    assert response.context["day"] == SATURDAY
    assert [entry.customer.code for entry in response.context["entries"]] == ["1500001"]


@pytest.mark.parametrize("name", ["routing:due", "routing:postpone"])
def test_the_due_list_refuses_outsiders(client, driver_user, name):
    assert client.get(reverse(name)).status_code == 302
    client.force_login(driver_user)
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name)).status_code == 403


def test_an_order_not_delivered_on_its_day_stays_due(office_client):
    customer = client_customer("1500001", last=SATURDAY)
    Order.objects.create(customer=customer, requested_date=SATURDAY)
    monday = SATURDAY + dt.timedelta(days=2)

    assert entry_for(monday, "1500001").sources == [ORDER]
    page = office_client.get(reverse("routing:due"), {"day": "114/05/26"})
    assert "原訂 114/05/24，尚未送" in page.content.decode()


def test_a_stop_where_the_customer_was_absent_is_no_delivery():
    customer = client_customer("1500001", last=SATURDAY - dt.timedelta(days=14))
    Delivery.objects.create(
        customer=customer,
        delivery_date=SATURDAY - dt.timedelta(days=1),
        outcome=Delivery.Outcome.ABSENT,
    )
    assert entry_for(SATURDAY, "1500001").sources == [OVERDUE]


def test_a_long_due_list_comes_a_hundred_a_page_with_counts_per_group(office_client):
    last = SATURDAY - dt.timedelta(days=7)
    north = Area.objects.get(code="C")
    for number in range(103):
        area = north if number < 3 else Area.objects.get(code="A")
        client_customer(f"15{number:05d}", last=last, area=area, address=f"路{number}")

    first = office_client.get(reverse("routing:due"), {"day": "114/05/24"})
    second = office_client.get(
        reverse("routing:due"), {"day": "114/05/24", "page": "2"}
    )

    assert len(first.context["entries"]) == 100
    assert [entry.customer.area.code for entry in second.context["entries"]] == [
        "C",
        "C",
        "C",
    ]
    assert first.context["by_group"] == [("北區", 3), ("南區", 100)]
    page = first.content.decode()
    assert "共 103 位" in page and "第 1 / 2 頁" in page
    assert "?day=114%2F05%2F24&amp;page=2" in page
