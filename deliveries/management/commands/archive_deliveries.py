import datetime as dt

from django.core.management.base import CommandError
from django.db import DatabaseError, Error

from deliveries import archiving
from luckygas.dates import to_roc
from luckygas.importing import positive_int, progress
from luckygas.jobs import ScheduledCommand
from reports.refreshing import refresh

# A century: further back than any delivery, and a date Python can still hold.
MAX_DAYS = 36_500


def moved_so_far(cutoff, total, counted):
    """What the database holds as moved: a batch may have committed just as
    the interruption came, before it was counted."""
    try:
        left = archiving.archivable(cutoff).count()
    except Error:
        return f"至少已搬 {counted} 筆（完整的批次），其餘未動"
    return f"已搬 {total - left} 筆（完整的批次），還有 {left} 筆未搬"


class Command(ScheduledCommand):
    help = (
        "把較舊的配送紀錄（預設 180 天前）連同品項移到歷史表，分批進行；"
        "中斷後再執行會接著做。完成後更新報表。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=positive_int,
            default=archiving.ARCHIVE_AFTER_DAYS,
            help="保留最近幾天的配送在現行表（預設 %(default)s）",
        )
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=archiving.BATCH_SIZE,
            help="每批（每個交易）搬移幾筆（預設 %(default)s）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只說要搬幾筆，不搬")

    def handle(self, *args, **options):
        if not 1 <= options["days"] <= MAX_DAYS:
            raise CommandError(
                f"--days 要在 1 到 {MAX_DAYS} 之間，不是 {options['days']}"
            )
        if options["batch_size"] < 1:
            raise CommandError(f"--batch-size 要是正整數，不是 {options['batch_size']}")
        cutoff = archiving.cutoff_for(options["days"])
        total = archiving.archivable(cutoff).count()
        # The last day moved, which reads plainer than the first day kept.
        until = f"{to_roc(cutoff - dt.timedelta(days=1))}（含）以前"
        if options["dry_run"]:
            self.summary(f"會把 {until}的 {total} 筆配送移到歷史表。")
            return
        moved = 0

        def count(batch):
            nonlocal moved
            moved += batch
            bar.update(batch)

        with progress(total, "搬移配送", options["verbosity"], unit="筆") as bar:
            try:
                archiving.archive(cutoff, options["batch_size"], count)
            except (DatabaseError, KeyboardInterrupt) as error:
                # The failed batch rolled back whole; the ones before it hold.
                reason = str(error) or "使用者中斷（Ctrl-C）"
                line = (
                    f"{moved_so_far(cutoff, total, moved)}；"
                    f"再執行一次會接著搬。原因：{reason}"
                )
                if isinstance(error, KeyboardInterrupt):
                    raise KeyboardInterrupt(line) from error
                raise CommandError(f"搬移中斷：{line}") from error
        try:
            record, _, _ = refresh("archive_deliveries")
        except KeyboardInterrupt as error:
            reason = str(error) or "使用者中斷（Ctrl-C）"
            raise KeyboardInterrupt(
                f"已把 {until}的 {moved} 筆配送移到歷史表；報表未更新"
                f"（{reason}），請執行 refresh_reports"
            ) from error
        self.summary(
            f"已把 {until}的 {moved} 筆配送移到歷史表；"
            f"報表已更新（{record.seconds:.1f} 秒）。"
        )
