import time

from django.core.management.base import CommandError
from django.db import connection

from luckygas import backups
from luckygas.importing import positive_int
from luckygas.jobs import ScheduledCommand


class Command(ScheduledCommand):
    help = (
        "備份資料庫到 BACKUP_DIR（SQLite 用線上備份 API，PostgreSQL 用 pg_dump -Fc），"
        "只保留最新的幾份；--verify 另把這份備份還原到暫用資料庫核對筆數，"
        "核對通過才刪除舊備份。"
        "供 cron 每天執行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=positive_int,
            default=14,
            help="保留最新幾份備份（預設 %(default)s）",
        )
        parser.add_argument(
            "--verify", action="store_true", help="備份後還原到暫用資料庫核對筆數"
        )

    def handle(self, *args, keep, verify, **options):
        started = time.perf_counter()
        try:
            # One backup at a time: another's rotation would count this one's
            # files among the old.
            with backups.only_one():
                path = backups.create()
                size = path.stat().st_size / 1024 / 1024
                # Old backups go only once the new one is known to restore.
                checked = backups.verify(path) if verify else None
                removed = backups.rotate(keep, path)
        except (backups.BackupError, OSError) as error:
            raise CommandError(error) from error
        line = (
            f"已備份到 {path}（{size:.1f} MB，{connection.vendor}），"
            f"保留最新 {keep} 份，刪除 {len(removed)} 份舊備份"
        )
        if checked is not None:
            line += f"；還原核對 {len(checked)} 個資料表的筆數相符"
        self.summary(f"{line}。耗時 {time.perf_counter() - started:.1f} 秒。")
