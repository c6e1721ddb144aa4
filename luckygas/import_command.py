"""What import_customers and import_deliveries share: run the importer,
say in one line what it did or why nothing was imported, then bring the
reports and the forecasts up to date when anything changed."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from luckygas.importing import INTERRUPTED, ImportFileError, positive_int
from reports.refreshing import refresh
from routing import forecast


class ImportCommand(BaseCommand):
    # The importer class, the workbook it reads, and the words its summary
    # line starts with.
    importer = None
    workbook = ""
    done = ""
    batch_size = 0

    def add_arguments(self, parser):
        parser.add_argument("path", help=f"{self.workbook}（.xlsx）")
        parser.add_argument("--batch-size", type=positive_int, default=self.batch_size)

    def handle(self, path, batch_size, verbosity, **options):
        importer = self.importer(path, batch_size=batch_size, verbosity=verbosity)
        try:
            summary = importer.run()
        except ImportFileError as error:
            raise CommandError(f"未匯入任何資料：{error}") from None
        except KeyboardInterrupt:
            raise CommandError(INTERRUPTED) from None
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"{self.done}：{summary.line()}"))
        if summary.created or summary.updated:
            record, _, _ = refresh(f"import {Path(path).name}")
            if verbosity >= 1:
                self.stdout.write(f"報表已更新（{record.seconds:.1f} 秒）。")
            started = time.perf_counter()
            stored, known = forecast.refresh()
            if verbosity >= 1:
                seconds = time.perf_counter() - started
                self.stdout.write(
                    f"配送預測已更新：{known} 位有配送紀錄的客戶，{stored} 位有預測"
                    f"（{seconds:.1f} 秒）。"
                )
