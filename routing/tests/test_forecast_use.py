"""The forecast stored nightly, on the due list and the call-ahead list, and
the backtest that measures it."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from customers.models import Area, Customer
from deliveries.models import Delivery, Order
from luckygas.dates import to_roc, today
from routing.due import CYCLE, OVERDUE, due_entries
from routing.models import CustomerForecast, Postponement, Route, RouteStop

pytestmark = pytest.mark.django_db

# A Tuesday with no holiday.
DAY = dt.date(2025, 5, 27)


@pytest.fixture(autouse=True)
def today_before_day(monkeypatch):
    """The lists are made the day before DAY."""
    for module in ("routing.forecast", "routing.due"):
        monkeypatch.setattr(f"{module}.today", lambda: DAY - dt.timedelta(days=1))


def weekly_customer(code, sheet_cycle=14.0, last=DAY - dt.timedelta(days=7), **fields):
    """A client who has taken gas every week for half a year, though the
    sheet says every `sheet_cycle` days."""
    customer = Customer.objects.create(
        code=code,
        short_name=f"店{code[-2:]}",
        origin=Customer.Origin.CLIENT_LIST,
        max_cycle_days=sheet_cycle,
        area=fields.pop("area", Area.objects.get(code="A")),
        **fields,
    )
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=last - dt.timedelta(weeks=weeks))
        for weeks in range(26)
    )
    return customer


def refresh():
    out = StringIO()
    call_command("refresh_forecasts", stdout=out)
    return out.getvalue()


def test_the_nightly_refresh_stores_each_customers_forecast():
    weekly_customer("1500001")
    Customer.objects.create(code="1500002", origin=Customer.Origin.CLIENT_LIST)

    out = refresh()

    stored = CustomerForecast.objects.get(customer__code="1500001")
    assert stored.next_date == DAY and stored.last_delivery == DAY - dt.timedelta(7)
    assert stored.low_date <= DAY <= stored.high_date
    assert stored.confidence == CustomerForecast.Confidence.HIGH
    assert not CustomerForecast.objects.filter(customer__code="1500002").exists()
    assert "配送預測已更新：1 位有配送紀錄的客戶，1 位有預測。" in out


def test_the_due_list_expects_customers_on_their_forecast_not_the_sheets_date():
    weekly_customer("1500001")
    assert "1500001" not in codes(due_entries(DAY))

    refresh()

    entry = due_entries(DAY)[Customer.objects.get(code="1500001").pk]
    assert entry.sources == [CYCLE]
    assert entry.forecast.next == DAY
    assert entry.sheet_expected == DAY + dt.timedelta(days=7)


def test_a_customer_past_their_rhythm_stays_overdue_whatever_the_forecast_says():
    customer = weekly_customer("1500001", last=DAY - dt.timedelta(days=20))
    refresh()

    entry = due_entries(DAY)[customer.pk]
    assert entry.sources == [OVERDUE]
    assert entry.usual_date == DAY - dt.timedelta(days=13)
    # Three weeks without gas: the most likely day is from today on.
    assert entry.forecast.next >= DAY - dt.timedelta(days=1)


def test_a_delivery_since_the_refresh_moves_the_forecast_with_it():
    customer = weekly_customer("1500001")
    refresh()
    Delivery.objects.create(customer=customer, delivery_date=DAY - dt.timedelta(2))

    assert customer.pk not in due_entries(DAY)
    entry = due_entries(DAY + dt.timedelta(days=5))[customer.pk]
    assert entry.forecast.next == DAY + dt.timedelta(days=5)


def test_a_delivery_since_the_refresh_moves_the_forecast_past_closed_days():
    customer = weekly_customer("1500001", last=DAY - dt.timedelta(days=6))
    customer.set_closed_days("10.20.30")
    customer.save()
    refresh()
    Delivery.objects.create(customer=customer, delivery_date=dt.date(2025, 5, 23))

    # A week on is the 30th, when the customer is closed.
    entry = due_entries(dt.date(2025, 6, 2))[customer.pk]
    assert entry.forecast.due == entry.forecast.next == dt.date(2025, 5, 31)


def test_a_delivery_struck_out_since_the_refresh_brings_the_forecast_forward():
    customer = weekly_customer("1500001")
    refresh()
    assert customer.pk not in due_entries(DAY - dt.timedelta(days=1))

    # The office finds last week's delivery was recorded by mistake.
    Delivery.objects.filter(customer=customer).order_by("-delivery_date")[0].delete()

    entry = due_entries(DAY - dt.timedelta(days=1))[customer.pk]
    assert entry.last_delivery == DAY - dt.timedelta(days=14)
    assert entry.sources == [OVERDUE]
    assert entry.usual_date == DAY - dt.timedelta(days=7)


def codes(entries):
    return set(Customer.objects.filter(pk__in=entries).values_list("code", flat=True))


def test_the_due_list_page_shows_the_forecast_its_range_confidence_and_the_sheet(
    office_client,
):
    weekly_customer("1500001")
    refresh()

    page = office_client.get(reverse("routing:due"), {"day": to_roc(DAY)})

    html = page.content.decode()
    assert "<th>預測</th>" in html
    stored = CustomerForecast.objects.get()
    assert f"{stored.low_date.month}/{stored.low_date.day}–" in html
    assert "信心：高" in html
    assert f"表單 {to_roc(DAY + dt.timedelta(days=7))}" in html


def test_a_later_days_list_shows_a_customer_still_waiting_from_that_day_on(
    office_client,
):
    weekly_customer("1500001")  # expected on DAY, and sure of it
    refresh()
    later = DAY + dt.timedelta(days=2)

    page = office_client.get(reverse("routing:due"), {"day": to_roc(later)})

    [row] = page.context["rows"]
    assert row["expected"].startswith(to_roc(later))
    assert f"{later.month}/{later.day}–" in row["expected"]
    assert "信心：低" in row["expected"]


def test_the_lists_say_when_the_forecasts_were_made_and_warn_when_a_night_was_missed(
    office_client, monkeypatch
):
    monkeypatch.setattr("routing.views.today", lambda: DAY - dt.timedelta(days=1))
    weekly_customer("1500001")
    lists = [reverse("routing:due"), reverse("routing:call-ahead")]

    for url in lists:
        html = office_client.get(url, {"day": to_roc(DAY)}).content.decode()
        assert "還沒有預測" in html and "請通知管理人員" in html

    refresh()
    made = CustomerForecast.objects.get().refreshed_at
    html = office_client.get(lists[0], {"day": to_roc(DAY)}).content.decode()
    assert f"（{to_roc(timezone.localdate(made))} " in html
    assert "請通知管理人員" not in html and "已經過去" not in html

    CustomerForecast.objects.update(refreshed_at=made - dt.timedelta(days=2))
    for url in lists:
        html = office_client.get(url, {"day": to_roc(DAY)}).content.decode()
        assert "已超過一天" in html and "請通知管理人員" in html


def test_the_lists_of_a_day_gone_by_say_so(office_client, monkeypatch):
    monkeypatch.setattr("routing.views.today", lambda: DAY)
    yesterday = to_roc(DAY - dt.timedelta(days=1))

    for url in (reverse("routing:due"), reverse("routing:call-ahead")):
        html = office_client.get(url, {"day": yesterday}).content.decode()
        assert f"{yesterday} 已經過去" in html
        html = office_client.get(url, {"day": to_roc(DAY)}).content.decode()
        assert "已經過去" not in html


def test_without_a_cycle_in_the_sheet_no_sheet_date_is_shown(office_client):
    customer = weekly_customer("1500001", sheet_cycle=None)
    # Fortnightly before: the median of all intervals is 14 days, not 7.
    first = DAY - dt.timedelta(weeks=26)
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=first - dt.timedelta(weeks=2 * n))
        for n in range(1, 40)
    )
    refresh()

    page = office_client.get(reverse("routing:due"), {"day": to_roc(DAY)})

    [row] = page.context["rows"]
    assert row["customer"].code == "1500001"
    assert "信心" in row["expected"] and "表單" not in row["expected"]


def test_call_ahead_lists_who_the_forecast_expects_in_two_days_without_an_order(
    office_client,
):
    weekly_customer("1500001")  # expected on DAY
    weekly_customer("1500002", last=DAY - dt.timedelta(days=6))  # DAY + 1
    weekly_customer("1500003", last=DAY - dt.timedelta(days=5))  # DAY + 2: later
    ordered = weekly_customer("1500004")
    Order.objects.create(customer=ordered, requested_date=DAY + dt.timedelta(3))
    postponed = weekly_customer("1500005")
    Postponement.objects.create(
        customer=postponed, from_date=DAY, to_date=DAY + dt.timedelta(3), reason="休假"
    )
    waiting = weekly_customer("1500008", last=DAY - dt.timedelta(days=6))  # DAY + 1
    Postponement.objects.create(
        customer=waiting,
        from_date=DAY + dt.timedelta(1),
        to_date=DAY + dt.timedelta(5),
        reason="整修",
    )
    weekly_customer("1500006", phone="089-123456、0912-345678")
    weekly_customer("1500007", area=Area.objects.get(code="C"))
    # On today's run, still to make; on yesterday's, which missed them.
    today_run = Route.objects.create(
        route_date=DAY - dt.timedelta(1), route_code="南早"
    )
    planned = weekly_customer("1500009")
    RouteStop.objects.create(route=today_run, sequence=1, customer=planned)
    missed_run = Route.objects.create(
        route_date=DAY - dt.timedelta(2), route_code="南早"
    )
    missed = weekly_customer("1500010")
    RouteStop.objects.create(route=missed_run, sequence=1, customer=missed)
    refresh()

    page = office_client.get(reverse("routing:call-ahead"), {"day": to_roc(DAY)})
    north = office_client.get(
        reverse("routing:call-ahead"), {"day": to_roc(DAY), "group": "north"}
    )

    listed = {row["customer"].code for row in page.context["rows"]}
    assert listed == {"1500001", "1500002", "1500006", "1500007", "1500010"}
    assert [row["customer"].code for row in north.context["rows"]] == ["1500007"]
    assert 'href="tel:+88689123456"' in page.content.decode()
    assert "接單…" in page.content.decode()


def test_call_ahead_names_a_day_it_cannot_read_and_shows_tomorrows(office_client):
    page = office_client.get(reverse("routing:call-ahead"), {"day": "115/13/40"})

    assert "配送日「115/13/40」無法使用" in page.content.decode()
    assert page.context["day"] == today() + dt.timedelta(days=1)


def test_the_due_list_links_to_the_call_ahead_list(office_client):
    page = office_client.get(reverse("routing:due"), {"day": to_roc(DAY)})

    assert f"{reverse('routing:call-ahead')}?day={to_roc(DAY)}" in page.content.decode()


def backtest(tmp_path, *args):
    out = StringIO()
    doc = tmp_path / "FORECAST.md"
    call_command("backtest_forecast", "--out", str(doc), *args, stdout=out)
    return doc, out.getvalue()


def test_the_backtest_writes_its_section_and_replaces_only_its_own(tmp_path):
    for number in range(1, 4):
        weekly_customer(f"150000{number}", last=DAY - dt.timedelta(days=number))

    doc, out = backtest(tmp_path, "--days", "30", "--label", "測試甲")
    backtest(tmp_path, "--days", "20", "--label", "測試乙")
    backtest(tmp_path, "--days", "10", "--label", "測試甲")

    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# 配送預測的回測")
    assert text.count("## 測試甲") == 1 and text.count("## 測試乙") == 1
    assert "（10 天）" in text and "（20 天）" in text and "（30 天）" not in text
    assert "| 依歷史學習 | 0.00 |" in text
    assert "目標至少低 30%：達到" in text
    assert "回測完成：3 位客戶" in out.strip().splitlines()[-1]
    assert f"（{to_roc(today())} 執行）" in text


def test_the_backtest_without_history_says_what_to_import(tmp_path):
    with pytest.raises(CommandError, match="請先匯入配送歷史"):
        backtest(tmp_path)
    assert not (tmp_path / "FORECAST.md").exists()


def test_the_backtest_ends_early_enough_to_see_every_next_delivery(tmp_path):
    weekly_customer("1500001")
    last = DAY - dt.timedelta(days=7)

    with pytest.raises(CommandError, match="太晚.*最晚 114/01/20"):
        backtest(tmp_path, "--end", to_roc(last - dt.timedelta(days=119)))
    doc, _ = backtest(tmp_path, "--end", to_roc(last - dt.timedelta(days=120)))
    assert "至 114/01/20 的每天傍晚" in doc.read_text(encoding="utf-8")


def test_the_backtest_starts_no_earlier_than_the_history(tmp_path):
    weekly_customer("1500001")
    first = DAY - dt.timedelta(days=7, weeks=25)

    doc, _ = backtest(tmp_path, "--days", "999999999")

    assert f"- 期間：{to_roc(first)} 至" in doc.read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="早於第一筆配送"):
        backtest(tmp_path, "--end", to_roc(first - dt.timedelta(days=1)))


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("  ", "--label 是空白的"),
        ("x --> y", "不能含有"),
        ("長" * 81, "太長（81 字）"),
    ],
)
def test_the_backtest_refuses_a_label_that_would_break_the_doc(
    tmp_path, label, message
):
    weekly_customer("1500001")

    with pytest.raises(CommandError, match=message):
        backtest(tmp_path, "--label", label)
    assert not (tmp_path / "FORECAST.md").exists()


def test_the_backtest_refuses_an_out_it_cannot_write(tmp_path):
    weekly_customer("1500001")
    workbook = tmp_path / "book.xlsx"
    workbook.write_bytes(b"PK\x03\x04\xff\xfe")
    script = tmp_path / "manage.py"
    script.write_text("import sys\n", encoding="utf-8")

    for out, message in [
        (tmp_path, "是資料夾"),
        (tmp_path / "missing" / "FORECAST.md", "不存在"),
        (workbook, "不是文字檔"),
        (script, "不是 .md 檔"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("backtest_forecast", "--out", str(out), stdout=StringIO())
    assert workbook.read_bytes() == b"PK\x03\x04\xff\xfe"
    assert script.read_text(encoding="utf-8") == "import sys\n"


def test_an_empty_doc_gets_the_introduction_before_the_section(tmp_path):
    weekly_customer("1500001")
    (tmp_path / "FORECAST.md").write_text("\n", encoding="utf-8")

    doc, _ = backtest(tmp_path, "--days", "30", "--label", "測試甲")

    assert doc.read_text(encoding="utf-8").startswith("# 配送預測的回測")


def test_importing_a_history_refreshes_the_forecasts(sample_dir):
    call_command("import_customers", sample_dir / "client_list.xlsx", verbosity=0)
    out = StringIO()
    call_command("import_deliveries", sample_dir / "delivery_history.xlsx", stdout=out)

    assert "配送預測已更新" in out.getvalue()
    assert CustomerForecast.objects.count() > 100
