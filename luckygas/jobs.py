"""What the commands cron runs (backup, archive_deliveries, refresh_reports)
share: they refuse a database that was never set up, say what went wrong in
one line instead of a traceback, and date their summary line in a log."""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

logger = logging.getLogger("luckygas.jobs")


def database_name():
    name = connection.settings_dict["NAME"]
    return f"{connection.vendor} {name}"


def require_migrated_database():
    """Stop when the database lacks the project's tables: most often a
    command run without the server's settings (no .env), which would
    otherwise work on a new, empty SQLite file."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise CommandError(
            f"資料庫（{database_name()}）還有 {len(plan)} 個資料表變更未套用"
            "（migrate）。在伺服器上請先載入設定：set -a && . ./.env && set +a；"
            "新資料庫請先執行 manage.py migrate。"
        )


class ScheduledCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            require_migrated_database()
            return super().execute(*args, **options)
        except DatabaseError as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            logger.error("%s 失敗：%s", self.job_name(), reason or repr(error))
            raise CommandError(
                f"資料庫（{database_name()}）無法使用：{reason or repr(error)}"
            ) from error

    def job_name(self):
        return type(self).__module__.rsplit(".", 1)[-1]

    def summary(self, line):
        """The closing line; in a log (not a terminal) it starts with the time."""
        if not self.stdout.isatty():
            line = f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {line}"
        self.stdout.write(line)
