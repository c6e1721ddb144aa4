"""The commands cron runs refuse a database never set up, fail in one line,
and date their summary in a log."""

import os
import re
import signal
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, ManagementUtility, call_command
from django.db.migrations.recorder import MigrationRecorder

from reports import refreshing

JOBS = ["refresh_reports", "archive_deliveries", "backup"]
# A developer's own .env stays out of the commands run here.
NO_ENV_FILE = "/nonexistent/.env"


@pytest.mark.django_db
@pytest.mark.parametrize("job", JOBS)
def test_a_job_refuses_a_database_without_the_projects_tables(job):
    MigrationRecorder.Migration.objects.filter(app="reports").delete()

    with pytest.raises(CommandError, match="個資料表變更未套用.*\\.env"):
        call_command(job)


@pytest.mark.parametrize("job", JOBS)
def test_an_unreachable_database_is_one_clear_line_not_a_traceback(job):
    url = "postgres://postgres@127.0.0.1:5432/luckygas_no_such_database"
    result = subprocess.run(
        [sys.executable, "manage.py", job],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "ENV_FILE": NO_ENV_FILE,
            "DEBUG": "1",
            "DATABASE_URL": url,
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert re.match(
        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d {job} 失敗：資料庫（postgresql "
        "luckygas_no_such_database）無法使用",
        line,
    )


@pytest.mark.parametrize("job", JOBS)
def test_a_job_run_without_the_servers_settings_leaves_no_database_behind(
    job, tmp_path
):
    result = subprocess.run(
        [sys.executable, "manage.py", job],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "ENV_FILE": NO_ENV_FILE,
            "DEBUG": "1",
            "VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert f"{job} 失敗：找不到 SQLite 資料庫" in line and ".env" in line
    assert not (tmp_path / "luckygas.sqlite3").exists()


@pytest.mark.django_db
def test_in_a_log_the_summary_line_starts_with_the_time():
    out = StringIO()
    call_command("refresh_reports", stdout=out)
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d 報表已更新", out.getvalue())


@pytest.fixture
def sigterm_restored():
    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)


def sigterm(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGTERM)  # as a shutdown would


def ctrl_c(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stop, said",
    [(sigterm, "收到停止訊號（SIGTERM）"), (ctrl_c, "使用者中斷（Ctrl-C）")],
)
def test_a_job_stopped_midway_says_so_in_one_line(
    monkeypatch, capsys, sigterm_restored, stop, said
):
    monkeypatch.setattr(refreshing.summaries, "refresh_all", stop)
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["manage.py", "refresh_reports"]).execute()

    assert stopped.value.code == 130
    (line,) = capsys.readouterr().err.splitlines()
    assert re.match(rf"\S+ \S+ refresh_reports 中斷：{said}$", line)


@pytest.mark.django_db
def test_an_archive_stopped_after_moving_says_the_reports_were_not_refreshed(
    monkeypatch, capsys, sigterm_restored
):
    monkeypatch.setattr(refreshing.summaries, "refresh_all", ctrl_c)
    with pytest.raises(SystemExit):
        ManagementUtility(["manage.py", "archive_deliveries"]).execute()

    (line,) = capsys.readouterr().err.splitlines()
    assert "archive_deliveries 中斷：已把" in line and "報表未更新" in line
