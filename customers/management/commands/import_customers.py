from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from customers.importing import ClientListImporter
from luckygas.importing import INTERRUPTED, ImportFileError, positive_int
from reports.refreshing import refresh
from routing import forecast


class Command(BaseCommand):
    help = "匯入客戶資料（舊系統匯出的客戶資料 .xlsx，工作表「客戶資料」）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="客戶資料活頁簿（.xlsx）")
        parser.add_argument("--batch-size", type=positive_int, default=500)

    def handle(self, path, batch_size, verbosity, **options):
        importer = ClientListImporter(path, batch_size=batch_size, verbosity=verbosity)
        try:
            summary = importer.run()
        except ImportFileError as error:
            raise CommandError(f"未匯入任何資料：{error}") from None
        except KeyboardInterrupt:
            raise CommandError(INTERRUPTED) from None
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"客戶資料匯入完成：{summary.line()}"))
        if summary.created or summary.updated:
            record, _, _ = refresh(f"import {Path(path).name}")
            if verbosity >= 1:
                self.stdout.write(f"報表已更新（{record.seconds:.1f} 秒）。")
            stored, _ = forecast.refresh()
            if verbosity >= 1:
                self.stdout.write(f"配送預測已更新：{stored} 位客戶。")
