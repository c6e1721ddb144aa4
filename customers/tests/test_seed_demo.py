import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from customers.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERNAME
from customers.models import Customer
from deliveries.models import Delivery
from luckygas.dates import today
from luckygas.testing.login import logged_in
from reports.models import DayFigures, Refresh
from routing.models import Route

pytestmark = pytest.mark.django_db


def test_it_writes_both_layouts_and_imports_them(tmp_path, client, capsys):
    call_command("seed_demo", customers=15, deliveries=400, out=tmp_path, seed=3)

    assert (tmp_path / "client_list.xlsx").is_file()
    assert (tmp_path / "delivery_history.xlsx").is_file()
    assert Customer.objects.filter(origin=Customer.Origin.CLIENT_LIST).count() == 15
    assert Customer.objects.filter(origin=Customer.Origin.HISTORY).exists()
    assert Delivery.objects.filter(source=Delivery.Source.IMPORT).count() == 400
    output = capsys.readouterr().out
    assert "客戶資料匯入完成" in output and "配送紀錄匯入完成" in output
    assert logged_in(client, DEMO_USERNAME, DEMO_PASSWORD)
    assert f"密碼：{DEMO_PASSWORD}" in output


def test_its_history_ends_today_and_follows_each_customers_cycle(tmp_path):
    call_command("seed_demo", customers=15, deliveries=400, out=tmp_path, seed=3)

    newest = Delivery.objects.order_by("-delivery_date").first().delivery_date
    assert (today() - newest).days <= 3
    regular = Customer.objects.filter(origin=Customer.Origin.CLIENT_LIST).first()
    assert regular.delivery_records.count() >= 3


def test_the_last_days_are_recorded_by_the_demo_drivers_and_reported(tmp_path):
    call_command(
        "seed_demo", customers=60, deliveries=2000, out=tmp_path, seed=3, app_days=5
    )

    imported = Delivery.objects.filter(source=Delivery.Source.IMPORT)
    recorded = Delivery.objects.filter(source=Delivery.Source.APP)
    first_recorded = today() - dt.timedelta(days=5)
    assert imported.latest("delivery_date").delivery_date < first_recorded
    assert recorded.earliest("delivery_date").delivery_date == first_recorded
    assert recorded.filter(total_amount__gt=0, items__isnull=False).exists()
    assert Refresh.objects.exists()
    assert DayFigures.objects.filter(day=first_recorded, amount__gt=0).exists()


def test_with_if_empty_it_leaves_existing_data_alone(tmp_path, capsys):
    Customer.objects.create(code="1984845")

    call_command("seed_demo", customers=15, deliveries=400, out=tmp_path, if_empty=True)

    assert Customer.objects.count() == 1
    assert not (tmp_path / "client_list.xlsx").exists()
    assert "略過示範資料" in capsys.readouterr().out


def test_drivers_can_log_in_and_find_todays_runs(tmp_path, client):
    call_command("seed_demo", customers=60, deliveries=2000, out=tmp_path, seed=3)
    call_command(
        "seed_demo", customers=60, deliveries=2000, out=tmp_path, if_empty=True
    )

    runs = Route.objects.filter(route_date=today())
    names = sorted(runs.values_list("route_code", flat=True))
    assert names == [
        "北午",
        "北早",
        "南午",
        "南早",
        "外線",
        "外線午",
        "機車午",
        "機車早",
    ]
    assert runs.get(route_code="機車早").vehicle.kind == "motorcycle"
    assert runs.get(route_code="南早").stops.exists()
    assert logged_in(client, "driver1", DEMO_PASSWORD)
    page = client.get(reverse("routing:driver")).content.decode()
    assert "南早" in page and "南午" in page and "北早" not in page


def test_on_the_demo_history_the_forecast_beats_the_sheets_rule_by_30_percent(
    tmp_path,
):
    # Four and a half years of history for 60 client-list customers.
    call_command(
        "seed_demo", customers=60, deliveries=20000, out=tmp_path, seed=3, verbosity=0
    )
    out = io.StringIO()
    call_command("backtest_forecast", "--no-write", stdout=out)

    report = out.getvalue()
    assert "（目標至少低 30%：達到）" in report
    learned = next(line for line in report.splitlines() if line.startswith("| 依歷史"))
    precision, recall = learned.split("|")[5:7]
    assert precision.strip().endswith("%") and recall.strip().endswith("%")
