import datetime as dt
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from customers.models import Area, Customer
from deliveries.models import Delivery, Product, ProductPrice
from luckygas import demo, roles
from luckygas.dates import today
from luckygas.importing import positive_int
from reports.refreshing import refresh
from routing import forecast, recording, runs
from routing.models import Driver, Route, Vehicle

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "luckygas-demo"

# Demo drivers, each with a login (driver1 … driver4) and the demo password.
DEMO_DRIVERS = [
    ("D01", "陳阿明"),
    ("D02", "林阿華"),
    ("D03", "王小強"),
    ("D04", "張大同"),
]
DEMO_VEHICLES = [
    ("BKA-1201", Vehicle.Kind.CAR),
    ("BKA-1202", Vehicle.Kind.CAR),
    ("BKA-1203", Vehicle.Kind.CAR),
    ("MKB-3301", Vehicle.Kind.MOTORCYCLE),
]
# Demo prices: a cylinder costs this much a kg, plus 50 for the delivery.
DEMO_PRICE_PER_KG = 40
# A demo day's runs, morning and afternoon, about the 100 to 200 deliveries a
# day the company makes, the motorcycle's for the customers a car cannot
# serve: name, driver, vehicle, area group, start.
DEMO_RUNS = [
    ("南早", 0, 0, Area.Group.SOUTH, dt.time(8)),
    ("北早", 1, 1, Area.Group.NORTH, dt.time(8)),
    ("外線", 2, 2, Area.Group.OUTER, dt.time(8)),
    ("南午", 0, 0, Area.Group.SOUTH, dt.time(13)),
    ("北午", 1, 1, Area.Group.NORTH, dt.time(13)),
    ("外線午", 2, 2, Area.Group.OUTER, dt.time(13)),
    ("機車早", 3, 3, Area.Group.SOUTH, dt.time(8)),
    ("機車午", 3, 3, Area.Group.NORTH, dt.time(13)),
]


def create_runs(day, odometer_out=lambda: None):
    """The demo's runs of a day, with their drivers and vehicles: (run, group)."""
    drivers = list(Driver.objects.select_related("user").order_by("code"))
    vehicles = list(Vehicle.objects.order_by("plate"))
    for route_code, driver, vehicle, group, start in DEMO_RUNS:
        route = Route.objects.create(
            route_date=day,
            route_code=route_code,
            driver=drivers[driver],
            vehicle=vehicles[vehicle],
            start_time=start,
            odometer_out=odometer_out(),
        )
        yield route, group


class Command(BaseCommand):
    help = (
        "產生示範資料：以虛構的客戶資料與配送歷史活頁簿（與舊系統相同格式），"
        "經 import_customers 與 import_deliveries 匯入，並建立示範帳號。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            type=positive_int,
            default=1300,
            help="客戶數（預設 %(default)s）",
        )
        parser.add_argument(
            "--deliveries",
            type=positive_int,
            default=349_920,
            help="配送紀錄筆數（預設 %(default)s，公司的規模，約四年；例：3500000）",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=2021,
            help="亂數種子：同一個種子產生同樣的資料（預設 %(default)s）",
        )
        parser.add_argument(
            "--app-days",
            type=int,
            default=14,
            help="最近幾天由示範司機以本系統的車次送達（之前的來自歷史匯入）",
        )
        parser.add_argument(
            "--out", type=Path, default=None, help="活頁簿存放處（預設 var/demo/）"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="已有客戶資料時只建立示範帳號"
        )

    def handle(self, *args, **options):
        self.ensure_fleet()
        if options["if_empty"] and Customer.objects.exists():
            self.stdout.write("資料庫已有客戶，略過示範資料。")
        else:
            client_path, history_path = self.write_workbooks(options)
            verbosity = options["verbosity"]
            call_command("import_customers", client_path, verbosity=verbosity)
            call_command("import_deliveries", history_path, verbosity=verbosity)
            self.ensure_prices()
            self.play_recent_days(options["app_days"], random.Random(options["seed"]))
        self.ensure_login()
        stored, known = forecast.refresh()
        self.stdout.write(
            f"配送預測已更新：{known} 位有配送紀錄的客戶，{stored} 位有預測。"
        )
        self.plan_today()
        record, _, _ = refresh("seed_demo")
        self.stdout.write(f"報表已更新（{record.seconds:.1f} 秒）。")

    def write_workbooks(self, options):
        out = options["out"] or settings.VAR_DIR / "demo"
        out.mkdir(parents=True, exist_ok=True)
        rng = random.Random(options["seed"])
        # The old system's history ends where the days run in the app begin.
        history_end = today() - dt.timedelta(days=options["app_days"] + 1)
        clients, history = demo.build(
            rng, options["customers"], options["deliveries"], history_end
        )
        client_path, history_path = (
            out / "client_list.xlsx",
            out / "delivery_history.xlsx",
        )
        demo.write_client_list(client_path, clients)
        demo.write_history(history_path, history)
        self.stdout.write(
            f"已寫出示範活頁簿：{client_path}（{len(clients)} 位客戶）、"
            f"{history_path}（{len(history)} 筆配送）"
        )
        return client_path, history_path

    def ensure_login(self):
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "first_name": "示範"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.stdout.write(self.style.SUCCESS("已建立示範帳號。"))
        self.stdout.write(
            self.style.SUCCESS(f"示範帳號：{DEMO_USERNAME}　密碼：{DEMO_PASSWORD}")
        )

    def ensure_fleet(self):
        """Drivers with their logins, and the vehicles they drive."""
        driver_group = Group.objects.get(name=roles.DRIVER)
        for number, (code, name) in enumerate(DEMO_DRIVERS, start=1):
            user, created = get_user_model().objects.get_or_create(
                username=f"driver{number}", defaults={"first_name": name}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(driver_group)
            Driver.objects.get_or_create(
                code=code, defaults={"name": name, "user": user}
            )
        for plate, kind in DEMO_VEHICLES:
            Vehicle.objects.get_or_create(plate=plate, defaults={"kind": kind})
        self.stdout.write(
            f"司機帳號：driver1～driver{len(DEMO_DRIVERS)}　密碼：{DEMO_PASSWORD}"
        )

    def ensure_prices(self):
        """Demo prices per cylinder, from the start of the demo history."""
        for product in Product.objects.all():
            ProductPrice.objects.get_or_create(
                product=product,
                valid_from=dt.date(2020, 1, 1),
                defaults={"unit_price": product.kg * DEMO_PRICE_PER_KG + 50},
            )

    def play_recent_days(self, days, rng):
        """The last days as the app records them: each day's runs filled from
        the due list, and every stop recorded by its driver."""
        recorded = 0
        for offset in range(days, 0, -1):
            day = today() - dt.timedelta(days=offset)
            for route, group in create_runs(
                day, odometer_out=lambda: rng.randrange(20000, 90000)
            ):
                runs.fill_route(route, group, limit=runs.FULL_RUN)
                stops = list(route.stops.select_related("customer", "order"))
                expected = runs.expected_items(stops)
                for stop in stops:
                    data = self.stop_record(stop, expected[stop.pk], day, rng)
                    recording.record_stop(stop.pk, data, route.driver.user)
                    recorded += 1
                recording.finish_route(
                    route, route.odometer_out + rng.randrange(30, 90)
                )
        self.stdout.write(f"已由示範司機記錄最近 {days} 天的 {recorded} 站。")

    def stop_record(self, stop, expected, day, rng):
        """What a demo driver records: mostly delivered, sometimes nobody home."""
        if rng.random() < 0.05:
            outcome, items = Delivery.Outcome.ABSENT, {}
        else:
            outcome = Delivery.Outcome.DELIVERED
            expected = expected or [(Product.objects.get(code="std20"), 1)]
            items = {product: (quantity, quantity) for product, quantity in expected}
        cash = None
        if items and stop.customer.settlement != Customer.Settlement.MONTHLY:
            prices = ProductPrice.objects.in_force(day)
            cash = sum(prices[p.pk] * quantity for p, (quantity, _) in items.items())
        returned = None
        if items and rng.random() < 0.2:
            returned = rng.choice([0.5, 1.0, 1.5, 2.0, 3.5])
        return {
            "outcome": outcome,
            "items": items,
            "cash_collected": cash,
            "gas_returned_kg": returned,
            "note": "",
            "postpone_to": None,
        }

    def plan_today(self):
        """Today's runs from the due list, so the driver pages have work to show."""
        day = today()
        if Route.objects.filter(route_date=day).exists():
            return
        for route, group in create_runs(day):
            stops = runs.fill_route(route, group, limit=runs.FULL_RUN)
            self.stdout.write(f"已排今天的車次「{route.route_code}」：{len(stops)} 站")
