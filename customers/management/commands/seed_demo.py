import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from customers.models import Customer
from luckygas import demo
from luckygas.dates import today

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "luckygas-demo"


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
