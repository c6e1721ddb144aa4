"""manage.py backup: a consistent copy, a checked restore, and rotation."""

import json
import sqlite3

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from customers.models import Customer
from luckygas import backups

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def backup_dir(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


def test_a_backup_holds_the_data_and_restores_to_the_same_counts(capsys):
    Customer.objects.create(code="1700001", short_name="備份測試")

    call_command("backup", verify=True)

    output = capsys.readouterr().out
    assert "已備份到" in output and "筆數相符" in output
    (path,) = backups.backups()
    counts = json.loads(backups.manifest_path(path).read_text())
    assert counts["customers_customer"] == 1
    # Customer data and password hashes: readable by the owner only.
    for written in (path, backups.manifest_path(path)):
        assert written.stat().st_mode & 0o777 == 0o600
    assert counts["deliveries_product"] == 16
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        row = copy.execute("SELECT short_name FROM customers_customer").fetchone()
        copy.close()
        assert row == ("備份測試",)


def test_verify_checks_the_backup_against_what_it_saved_not_the_live_data():
    Customer.objects.create(code="1700001")
    call_command("backup")
    Customer.objects.all().delete()  # a change after the backup

    checked = backups.verify(backups.backups()[0])

    assert checked["customers_customer"] == 1


def test_a_backup_that_does_not_restore_what_it_saved_fails_verify():
    Customer.objects.create(code="1700001")
    call_command("backup")
    (path,) = backups.backups()
    manifest = backups.manifest_path(path)
    counts = json.loads(manifest.read_text())
    manifest.write_text(json.dumps(counts | {"customers_customer": 5}))

    with pytest.raises(
        backups.BackupError, match="customers_customer：備份 5、還原後 1"
    ):
        backups.verify(path)


def test_a_backup_that_cannot_be_written_fails_clearly(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "a-file"
    settings.BACKUP_DIR.write_text("not a folder")

    with pytest.raises(CommandError, match="a-file）是檔案，不是資料夾"):
        call_command("backup")


def test_a_second_backup_while_one_runs_is_refused_and_deletes_nothing(capsys):
    call_command("backup", keep=1)
    (first,) = backups.backups()

    with backups.only_one():  # a backup under way
        with pytest.raises(CommandError, match="另一個備份正在進行"):
            call_command("backup", keep=1)

    assert backups.backups() == [first] and backups.manifest_path(first).exists()
    call_command("backup", keep=1)  # once it is done, the next one runs
    (newest,) = backups.backups()
    assert newest != first


def test_rotation_keeps_exactly_the_newest(capsys):
    for _ in range(4):
        call_command("backup", keep=2)

    kept = backups.backups()
    assert len(kept) == 2
    assert all(backups.manifest_path(path).exists() for path in kept)
    files = [path for path in backups.backup_dir().iterdir() if path.name != ".lock"]
    assert len(files) == 4  # two backups, two lists
    assert "刪除 1 份舊備份" in capsys.readouterr().out.splitlines()[-1]


def garbage_backup(name):
    """A file with a backup's name that holds no backup (cut short, say)."""
    path = backups.backup_dir() / f"{name}{backups.suffix()}"
    path.write_bytes(b"not a backup at all" * 100)
    backups.manifest_path(path).write_text(json.dumps({"customers_customer": 0}))
    return path


def test_a_damaged_backup_fails_verify_naming_the_file():
    path = garbage_backup("luckygas-20261201-010000-000")

    with pytest.raises(backups.BackupError, match=f"{path.name} 無法還原"):
        backups.verify(path)


def test_a_backup_named_by_a_clock_once_ahead_never_pushes_out_the_new_one(capsys):
    future = garbage_backup("luckygas-29991231-235959-999")

    call_command("backup", keep=1, verify=True)

    (kept,) = backups.backups()
    assert kept != future and not future.exists()
    assert "筆數相符" in capsys.readouterr().out


def test_a_backup_clears_what_killed_backups_left_behind():
    directory = backups.backup_dir()
    name = f"luckygas-20261101-010000-000{backups.suffix()}"
    leftovers = [
        directory / f"{name}{ending}"
        for ending in (".partial", ".partial-journal", ".verify", ".verify-journal")
    ]
    for path in leftovers:
        path.write_bytes(b"half a backup")
    if connection.vendor == "postgresql":
        # Scratch databases of checks whose process is gone (no pid is that
        # high), or whose number another process took (1 always runs).
        scratches = [
            f"{connection.settings_dict['NAME']}_verify_{pid}" for pid in (999999999, 1)
        ]
        with connection.cursor() as cursor:
            for scratch in scratches:
                cursor.execute(f'CREATE DATABASE "{scratch}"')

    call_command("backup", keep=2, verify=True)

    assert not any(path.exists() for path in leftovers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_database WHERE datname = ANY(%s)", [scratches]
            )
            assert cursor.fetchone() is None


@pytest.mark.parametrize(
    "folder, said",
    [
        ("/proc/luckygas-backups", "無法建立：路徑不存在"),
        ("/proc", "無法寫入：路徑不存在"),
    ],
)
def test_a_backup_dir_that_cannot_be_written_is_named(settings, folder, said):
    settings.BACKUP_DIR = folder  # even root cannot write there

    with pytest.raises(CommandError, match=f"BACKUP_DIR（{folder}）{said}"):
        call_command("backup")
