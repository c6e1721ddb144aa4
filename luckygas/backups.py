"""Backups of the database, consistent while people work, and their check.

SQLite is copied through its online backup API, which gives a consistent
copy under WAL; PostgreSQL is dumped with `pg_dump -Fc` inside a snapshot.
Beside each backup a manifest records the row count of every table as the
backup holds them, counted in the same snapshot, so that a restore can be
checked against exactly what was saved.
"""

import errno
import fcntl
import json
import os
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.utils import timezone

PREFIX = "luckygas-"


class BackupError(Exception):
    """A backup or its check that failed, with the reason in Chinese."""


# Why a folder cannot be written, as the administrator would say it.
OS_REASONS = {
    errno.EACCES: "沒有寫入權限",
    errno.EPERM: "沒有寫入權限",
    errno.ENOENT: "路徑不存在或無法建立",
    errno.EROFS: "磁碟是唯讀的",
    errno.ENOSPC: "磁碟已滿",
}


def os_reason(error):
    return OS_REASONS.get(error.errno, error.strerror or str(error))


def backup_dir():
    path = Path(settings.BACKUP_DIR)
    if path.exists() and not path.is_dir():
        raise BackupError(f"BACKUP_DIR（{path}）是檔案，不是資料夾")
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"BACKUP_DIR（{path}）無法建立：{os_reason(error)}") from None
    return path


@contextmanager
def only_one():
    """Hold BACKUP_DIR's lock for a backup; refuse when another holds it.
    Holding it, clear what backups killed midway left behind."""
    lock = backup_dir() / ".lock"
    try:
        handle = open(lock, "w")
    except OSError as error:
        raise BackupError(
            f"BACKUP_DIR（{lock.parent}）無法寫入：{os_reason(error)}"
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                f"另一個備份正在進行（{lock} 已鎖定），這次不備份"
            ) from None
        clear_leftovers()
        yield


# What a backup writes before it is whole, and its check's scratch copy.
LEFTOVER_PATTERNS = ("*.partial", "*.partial-journal", "*.verify", "*.verify-journal")


def clear_leftovers():
    """Half-written backups and scratch databases of backups that were killed
    (no other backup runs while the lock is held)."""
    for pattern in LEFTOVER_PATTERNS:
        for path in backup_dir().glob(f"{PREFIX}{pattern}"):
            path.unlink(missing_ok=True)
    if connection.vendor == "postgresql":
        for name in _scratch_databases():
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _scratch_databases():
    """The check's scratch databases left behind: their process is gone, or
    its number was taken by another (after a restart) and no one is
    connected to them."""
    prefix = f"{connection.settings_dict['NAME']}_verify_"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datname, (SELECT count(*) FROM pg_stat_activity AS a"
            " WHERE a.datname = d.datname) FROM pg_database AS d"
        )
        rows = cursor.fetchall()
    return [
        name
        for name, users in rows
        if name.startswith(prefix)
        and not (users and _running(name.removeprefix(prefix)))
    ]


def _running(pid):
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: running all the same
    return True


def suffix():
    return ".sqlite3" if connection.vendor == "sqlite" else ".dump"


def backups():
    """The backups in BACKUP_DIR, newest first."""
    return sorted(backup_dir().glob(f"{PREFIX}*{suffix()}"), reverse=True)


def manifest_path(path):
    return path.with_name(path.name + ".json")


def tables():
    return sorted(connection.introspection.table_names(include_views=False))


def _counts(cursor, names):
    counts = {}
    for name in names:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(name)}")
        counts[name] = cursor.fetchone()[0]
    return counts


def create():
    """Write a new backup and its manifest; return the backup's path."""
    # Taipei time, to the millisecond: names sort as the backups were made.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S-%f")[:-3]
    path = backup_dir() / f"{PREFIX}{stamp}{suffix()}"
    partial = path.with_name(path.name + ".partial")
    if connection.vendor == "sqlite":
        try:
            counts = _sqlite_backup(partial)
        except sqlite3.Error as error:
            raise BackupError(f"無法寫入 {partial}：{error}") from error
    else:
        counts = _postgres_backup(partial)
    # Only a whole backup gets the name the rotation and the check look for.
    partial.rename(path)
    manifest = manifest_path(path)
    manifest.write_text(json.dumps(counts, indent=1, sort_keys=True))
    # Customer data and password hashes: for the owner's eyes only.
    for written in (path, manifest):
        written.chmod(0o600)
    return path


def _sqlite_backup(target):
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        with destination:
            connection.connection.backup(destination)
        # One self-contained file, whatever journal the live database keeps.
        destination.execute("PRAGMA journal_mode=DELETE")
        # Counted in the copy itself: what the backup holds.
        return _counts(destination.cursor(), tables())
    finally:
        destination.close()


def _pg_environment():
    db = connection.settings_dict
    environment = dict(os.environ)
    if db.get("PASSWORD"):
        environment["PGPASSWORD"] = db["PASSWORD"]
    return environment


def _pg_arguments(database):
    db = connection.settings_dict
    arguments = [f"--dbname={database}"]
    if db.get("HOST"):
        arguments.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        arguments.append(f"--port={db['PORT']}")
    if db.get("USER"):
        arguments.append(f"--username={db['USER']}")
    return arguments


def _run(command):
    result = subprocess.run(
        command, capture_output=True, text=True, env=_pg_environment()
    )
    if result.returncode:
        raise BackupError(f"{command[0]} 失敗：{result.stderr.strip()}")


def _postgres_backup(target):
    """Dump in the snapshot the counts are taken in, so that they agree."""
    names = tables()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor, names)
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    *_pg_arguments(connection.settings_dict["NAME"]),
                ]
            )
        finally:
            cursor.execute("COMMIT")
    return counts


def rotate(keep, new):
    """Delete all but the newest `keep` backups, the `new` one always kept
    (a name from a clock that was once ahead sorts first); return the
    deleted backups' paths."""
    old = [path for path in backups() if path != new][keep - 1 :]
    for path in old:
        path.unlink()
        manifest_path(path).unlink(missing_ok=True)
    return old


def verify(path):
    """Restore the backup into a scratch database and compare its row counts
    with the manifest's; return the tables checked. Raise BackupError on any
    difference."""
    manifest = manifest_path(path)
    if not manifest.exists():
        raise BackupError(f"{path.name} 沒有清單檔（{manifest.name}），無法核對")
    expected = json.loads(manifest.read_text())
    if connection.vendor == "sqlite":
        restored = _sqlite_restore(path, list(expected))
    else:
        restored = _postgres_restore(path, list(expected))
    differ = [
        f"{name}：備份 {count}、還原後 {restored.get(name)}"
        for name, count in expected.items()
        if restored.get(name) != count
    ]
    if differ:
        raise BackupError("還原後的筆數不符：" + "；".join(differ))
    return expected


def _sqlite_restore(path, names):
    scratch = path.with_name(path.name + ".verify")
    scratch.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    restored = sqlite3.connect(scratch)
    try:
        source.backup(restored)
        cursor = restored.cursor()
        check = cursor.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{path.name} 還原後完整性檢查失敗：{check}")
        return _counts(cursor, names)
    except sqlite3.Error as error:
        raise BackupError(f"{path.name} 無法還原：{error}") from error
    finally:
        source.close()
        restored.close()
        scratch.unlink(missing_ok=True)


def _postgres_restore(path, names):
    # Its own scratch database, so that two checks at once never meet.
    scratch = f"{connection.settings_dict['NAME']}_verify_{os.getpid()}"
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            cursor.execute(f'CREATE DATABASE "{scratch}"')
    except DatabaseError as error:
        raise BackupError(
            f"無法建立核對用的暫用資料庫 {scratch}（--verify 需要能建立資料庫的"
            f"帳號）：{error}"
        ) from error
    try:
        try:
            _run(["pg_restore", "--no-owner", *_pg_arguments(scratch), str(path)])
        except BackupError as error:
            raise BackupError(f"{path.name} 無法還原：{error}") from error
        settings_dict = {**connection.settings_dict, "NAME": scratch}
        restored = type(connections[DEFAULT_DB_ALIAS])(settings_dict, "backup_verify")
        try:
            with restored.cursor() as cursor:
                return _counts(cursor, names)
        finally:
            restored.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
