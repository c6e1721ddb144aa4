import datetime as dt
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from customers.models import Area, Customer
from luckygas import demo, roles
from luckygas.dates import today
from routing import runs
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
# Today's runs the demo plans when there are none: name, driver, vehicle, group.
DEMO_RUNS = [
    ("南早", 0, 0, Area.Group.SOUTH),
    ("北早", 1, 1, Area.Group.NORTH),
    ("外線", 2, 2, Area.Group.OUTER),
]


class Command(BaseCommand):
    help = (
        "產生示範資料：以虛構的客戶資料與配送歷史活頁簿（與舊系統相同格式），"
        "經 import_customers 與 import_deliveries 匯入，並建立示範帳號。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1300)
        parser.add_argument("--deliveries", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--out", type=Path, default=None, help="活頁簿存放處（預設 var/demo/）"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="已有客戶資料時只建立示範帳號"
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Customer.objects.exists():
            self.stdout.write("資料庫已有客戶，略過示範資料。")
        else:
            client_path, history_path = self.write_workbooks(options)
            verbosity = options["verbosity"]
            call_command("import_customers", client_path, verbosity=verbosity)
            call_command("import_deliveries", history_path, verbosity=verbosity)
        self.ensure_login()
        self.ensure_fleet()
        self.plan_today()

    def write_workbooks(self, options):
        out = options["out"] or settings.VAR_DIR / "demo"
        out.mkdir(parents=True, exist_ok=True)
        rng = random.Random(options["seed"])
        clients, history = demo.build(
            rng, options["customers"], options["deliveries"], today()
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

    def plan_today(self):
        """Today's runs from the due list, so the driver pages have work to show."""
        day = today()
        if Route.objects.filter(route_date=day).exists():
            return
        drivers = list(Driver.objects.order_by("code"))
        vehicles = list(Vehicle.objects.order_by("plate"))
        for route_code, driver, vehicle, group in DEMO_RUNS:
            route = Route.objects.create(
                route_date=day,
                route_code=route_code,
                driver=drivers[driver],
                vehicle=vehicles[vehicle],
                start_time=dt.time(8),
            )
            stops = runs.fill_route(route, group, limit=runs.FULL_RUN)
            self.stdout.write(f"已排今天的車次「{route_code}」：{len(stops)} 站")
