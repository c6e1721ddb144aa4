from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deliveries.importing import HistoryImporter
from luckygas.importing import INTERRUPTED, ImportFileError, positive_int
from reports.refreshing import refresh
from routing import forecast


class Command(BaseCommand):
    help = (
        "匯入配送紀錄（舊系統匯出的配送歷史 .xlsx：客戶、電子發票抬頭、客戶簡稱、"
        "地址、最後十次日期）。重複執行不會重複新增。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="配送歷史活頁簿（.xlsx）")
        parser.add_argument("--batch-size", type=positive_int, default=10_000)

    def handle(self, path, batch_size, verbosity, **options):
        importer = HistoryImporter(path, batch_size=batch_size, verbosity=verbosity)
        try:
            summary = importer.run()
        except ImportFileError as error:
            raise CommandError(f"未匯入任何資料：{error}") from None
        except KeyboardInterrupt:
            raise CommandError(INTERRUPTED) from None
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"配送紀錄匯入完成：{summary.line()}"))
        if summary.created or summary.updated:
            record, _, _ = refresh(f"import {Path(path).name}")
            if verbosity >= 1:
                self.stdout.write(f"報表已更新（{record.seconds:.1f} 秒）。")
            stored, _ = forecast.refresh()
            if verbosity >= 1:
                self.stdout.write(f"配送預測已更新：{stored} 位客戶。")
