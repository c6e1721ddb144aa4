"""What the commands cron runs (backup, archive_deliveries, refresh_reports,
refresh_forecasts) share: they refuse a database that was never set up, say
what went wrong in one line instead of a traceback, and date that line and
their summary line in a log."""

import signal
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def database_name():
    name = connection.settings_dict["NAME"]
    return f"{connection.vendor} {name}"


def require_migrated_database():
    """Stop when the database lacks the project's tables: most often a
    command run without the server's settings (no .env), which would
    otherwise work on a new, empty SQLite file."""
    name = connection.settings_dict["NAME"]
    sqlite_file = connection.vendor == "sqlite" and not connection.is_in_memory_db()
    if sqlite_file and not Path(name).exists():
        # Connecting would leave an empty file behind for the next run to find.
        raise CommandError(
            f"找不到 SQLite 資料庫 {name}：多半是沒有讀到伺服器的設定，"
            ".env 應在 manage.py 旁邊（或以 ENV_FILE 指定）"
        )
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise CommandError(
            f"資料庫（{database_name()}）還有 {len(plan)} 個資料表變更未套用"
            "（migrate）。不是伺服器的資料庫的話，多半是沒有讀到設定："
            ".env 應在 manage.py 旁邊；新資料庫請先執行 manage.py migrate。"
        )


class Stopped(KeyboardInterrupt):
    """SIGTERM (a shutdown, `kill`), taken as Ctrl-C is."""


def stop(signum, frame):
    raise Stopped("收到停止訊號（SIGTERM）")


class ScheduledCommand(BaseCommand):
    def run_from_argv(self, argv):
        """Django's, except that a failure or an interruption is written as
        one line naming the job, dated in a log as the summary line is,
        instead of a traceback."""
        signal.signal(signal.SIGTERM, stop)
        if "--traceback" in argv:
            return super().run_from_argv(argv)
        try:
            # With --traceback Django hands the CommandError on to us.
            super().run_from_argv([*argv, "--traceback"])
        except CommandError as error:
            self.fail(f"失敗：{error}", error.returncode)
        except KeyboardInterrupt as error:
            self.fail(f"中斷：{str(error) or '使用者中斷（Ctrl-C）'}", 130)

    def fail(self, line, returncode):
        self.stderr.write(self.dated(self.stderr, f"{self.job_name()} {line}"))
        sys.exit(returncode)

    def execute(self, *args, **options):
        try:
            require_migrated_database()
            return super().execute(*args, **options)
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise CommandError(
                f"資料庫（{database_name()}）無法使用：{reason or repr(error)}"
            ) from error

    def job_name(self):
        return type(self).__module__.rsplit(".", 1)[-1]

    @staticmethod
    def dated(stream, line):
        """The line, starting with the time when it goes to a log, not a terminal."""
        if stream.isatty():
            return line
        return f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {line}"

    def summary(self, line):
        """The closing line."""
        self.stdout.write(self.dated(self.stdout, line))
