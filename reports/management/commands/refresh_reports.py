from luckygas.importing import progress
from luckygas.jobs import ScheduledCommand
from reports import refreshing


class Command(ScheduledCommand):
    help = (
        "更新報表的彙總資料（PostgreSQL 為實體化檢視，SQLite 為彙總表），"
        "供 cron 定時執行。"
    )

    def handle(self, *args, **options):
        bar = progress(refreshing.STEPS, "更新報表", options["verbosity"], unit="步")
        with bar:
            record, seconds, flags = refreshing.refresh("refresh_reports", bar.update)
        if options["verbosity"] > 1:
            for table, took in seconds.items():
                self.stdout.write(f"  {table}：{took:.1f} 秒")
        self.summary(
            f"報表已更新：{len(seconds)} 個彙總，{flags} 筆用量異常，"
            f"耗時 {record.seconds:.1f} 秒。"
        )
