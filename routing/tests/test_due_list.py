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


@pytest.fixture
def on_friday(monkeypatch):
    """Today is the day before SATURDAY: postponing from SATURDAY is allowed."""
    monkeypatch.setattr("routing.forms.today", lambda: SATURDAY - dt.timedelta(days=1))


def postpone(office_client, to_date, reason="店休", day="114/05/24", **fields):
    return office_client.post(
        reverse("routing:postpone"),
        {"customer": "1500001", "day": day, "to_date": to_date, "reason": reason}
        | fields,
        follow=True,
    )


def test_a_postponed_entry_leaves_the_list_and_comes_back_on_its_date(
    office_client, on_friday
):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    monday = SATURDAY + dt.timedelta(days=2)

    response = postpone(office_client, "114/05/26", reason="店休到週一")

    assert "已延後：1500001" in response.content.decode()
    assert entry_for(SATURDAY, "1500001") is None
    assert entry_for(SATURDAY + dt.timedelta(days=1), "1500001") is None
    back = entry_for(monday, "1500001")
    assert back.sources == [POSTPONED] and back.postponement.reason == "店休到週一"


def test_postponing_moves_every_open_order_the_entry_shows(office_client, on_friday):
    customer = client_customer("1500001")
    earlier = Order.objects.create(
        customer=customer, requested_date=SATURDAY - dt.timedelta(days=1)
    )
    today = Order.objects.create(customer=customer, requested_date=SATURDAY)
    later = Order.objects.create(
        customer=customer, requested_date=SATURDAY + dt.timedelta(days=5)
    )
    cancelled = Order.objects.create(
        customer=customer, requested_date=SATURDAY, status=Order.Status.CANCELLED
    )

    response = postpone(office_client, "114/05/27", reason="老闆生病")

    assert "訂單 2 張一併改期" in response.content.decode()
    moved = {order.pk: order.requested_date for order in Order.objects.all()}
    assert moved[earlier.pk] == moved[today.pk] == dt.date(2025, 5, 27)
    assert moved[later.pk] == SATURDAY + dt.timedelta(days=5)
    assert moved[cancelled.pk] == SATURDAY
    assert entry_for(SATURDAY, "1500001") is None
    assert entry_for(dt.date(2025, 5, 27), "1500001").sources == [POSTPONED, ORDER]
    assert set(Postponement.objects.values_list("order", flat=True)) == {
        earlier.pk,
        today.pk,
    }


def test_the_due_list_links_each_entry_to_its_postpone_form(office_client):
    customer = client_customer("1500001", closed_weekdays="7")
    order = Order.objects.create(customer=customer, requested_date=SATURDAY)
    OrderItem.objects.create(
        order=order, product=Product.objects.get(code="std20"), quantity=2
    )
    due = office_client.get(
        reverse("routing:due"), {"day": "114/05/24", "group": "south"}
    )
    link = (
        "?customer=1500001&amp;day=114%2F05%2F24"
        "&amp;back=day%3D114%252F05%252F24%26group%3Dsouth"
    )
    assert link in due.content.decode()

    page = office_client.get(
        reverse("routing:postpone"),
        {
            "customer": "1500001",
            "day": "114/05/24",
            "back": "day=114/05/24&group=south",
        },
    )

    form = page.context["form"]
    assert list(page.context["orders"]) == [order]
    assert "20公斤×2" in page.content.decode()
    # Closed on Sundays: the next open day after Saturday is Monday.
    assert form.initial["to_date"] == SATURDAY + dt.timedelta(days=2)
    assert form.initial["day"] == SATURDAY
    assert page.context["back_url"] == "/routing/due/?day=114%2F05%2F24&group=south"


def test_after_postponing_the_same_page_of_the_list_comes_back(
    office_client, on_friday
):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    back = "day=114/05/24&group=south&page=2&next=https://evil.example/"

    response = postpone(office_client, "114/05/26", back=back)

    assert response.redirect_chain[-1][0] == (
        "/routing/due/?day=114%2F05%2F24&group=south&page=2"
    )


def test_the_postpone_form_of_an_unknown_customer_is_not_found(office_client):
    page = office_client.get(reverse("routing:postpone"), {"customer": "9999999"})
    assert page.status_code == 404


@pytest.mark.parametrize(
    "to_date, reason, field, message",
    [
        ("114/05/23", "店休", "to_date", "延後的日期要晚於 114/05/24"),
        ("114/05/24", "店休", "to_date", "延後的日期要晚於 114/05/24"),
        # A mistyped year: 124 for 114.
        ("124/05/26", "店休", "to_date", "最多延後 60 天（到 114/07/23）"),
        ("114/05/26", "   ", "reason", "這個欄位是必須的"),
        ("garbage", "店休", "to_date", "garbage"),
    ],
)
def test_a_wrong_postponement_is_refused_beside_its_box_keeping_what_was_typed(
    office_client, on_friday, to_date, reason, field, message
):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))

    response = postpone(office_client, to_date, reason=reason)

    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert message in page and f'value="{to_date}"' in page
    assert not Postponement.objects.exists()


def test_a_day_gone_by_cannot_be_postponed(office_client, on_friday):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=30))

    response = postpone(office_client, "114/05/24", day="114/05/22")

    assert "114/05/22 已經過去" in response.content.decode()
    assert not Postponement.objects.exists()


def test_a_double_submit_postpones_once(office_client, on_friday):
    customer = client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    Order.objects.create(customer=customer, requested_date=SATURDAY)

    postpone(office_client, "114/05/26")
    postpone(office_client, "114/05/26")

    assert Postponement.objects.count() == 1


def test_a_later_postponement_replaces_an_earlier_one_it_overlaps(
    office_client, on_friday
):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    postpone(office_client, "114/05/30", reason="出國")
    postpone(office_client, "114/05/27", reason="提早回來")

    assert entry_for(dt.date(2025, 5, 26), "1500001") is None
    assert entry_for(dt.date(2025, 5, 27), "1500001").sources == [POSTPONED]
    # The first one no longer hides the customer on the days it covered.
    assert entry_for(dt.date(2025, 5, 28), "1500001").sources == [OVERDUE]


def test_a_postponement_made_ahead_still_holds_after_a_nearer_one(
    office_client, on_friday
):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    postpone(office_client, "114/06/05", reason="端午連假", day="114/06/01")
    postpone(office_client, "114/05/26", reason="店休")

    assert entry_for(dt.date(2025, 6, 2), "1500001") is None
    assert entry_for(dt.date(2025, 6, 5), "1500001").sources == [POSTPONED]


def test_a_delivery_ends_a_postponement(office_client, on_friday):
    customer = client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    postpone(office_client, "114/05/28")
    # Delivered anyway on the day it was put off from.
    Delivery.objects.create(customer=customer, delivery_date=SATURDAY)

    assert entry_for(dt.date(2025, 5, 28), "1500001") is None
    assert entry_for(dt.date(2025, 5, 31), "1500001").sources == [CYCLE]


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
    # The office's order of the groups: south first.
    assert first.context["by_group"] == [("南區", 100), ("北區", 3)]
    page = first.content.decode()
    assert "共 103 位" in page and "第 1 / 2 頁" in page
    assert "?day=114%2F05%2F24&amp;page=2" in page


def test_a_filter_that_cannot_be_read_is_named_and_the_others_still_apply(
    office_client,
):
    client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    client_customer(
        "1500002",
        last=SATURDAY - dt.timedelta(days=7),
        area=Area.objects.get(code="C"),
    )

    page = office_client.get(reverse("routing:due"), {"day": "114/05/24", "group": "S"})

    assert page.context["day"] == SATURDAY
    assert "區塊「S」無法使用" in page.content.decode()
    assert len(page.context["entries"]) == 2
    page = office_client.get(
        reverse("routing:due"), {"day": "garbage", "group": "north"}
    )
    assert "配送日「garbage」無法使用" in page.content.decode()
    # Tomorrow instead, and only the north as asked.
    assert [entry.customer.code for entry in page.context["entries"]] == ["1500002"]


def test_the_customer_page_shows_a_postponement_and_it_can_be_taken_back(
    office_client, monkeypatch, on_friday
):
    monkeypatch.setattr("customers.views.today", lambda: SATURDAY)
    customer = client_customer("1500001", last=SATURDAY - dt.timedelta(days=7))
    postpone(office_client, "114/05/28", reason="整修")

    page = office_client.get(customer.get_absolute_url()).content.decode()
    assert '114/05/24</span> 延至 <span class="customer-code">114/05/28' in page
    assert "整修" in page
    postponement = Postponement.objects.get()

    response = office_client.post(
        reverse("routing:postponement-cancel", args=[postponement.pk]), follow=True
    )

    assert "已取消延後：114/05/24 延至 114/05/28" in response.content.decode()
    assert not Postponement.objects.exists()
    assert entry_for(SATURDAY, "1500001").sources == [CYCLE]
