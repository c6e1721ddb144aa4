"""What the benchmarks share: the doc they write, the machine, PostgreSQL."""

import argparse
import datetime as dt
import os
import platform
import sqlite3
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "bench-data"
DOC_PATH = BASE_DIR / "docs" / "PERFORMANCE.md"

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DATABASES = ("sqlite", "postgresql")
# Tables that hold deliveries, active and archived.
DELIVERY_TABLES = ("deliveries_delivery", "deliveries_deliveryhistory")

DOC_INTRO = """\
# Performance

Benchmarks of the back office on realistic volumes of data. Each section is
written by a script under `bench/` between its own marker comments: rerun the
script to refresh it rather than editing the numbers by hand. The numbers hold
for the machine recorded in each section.

Reproduce them with `make bench`, and the load test with `make load`.
"""


def scratch_env(database, var_dir, pg_database, **extra):
    """Environment for a child process: dev settings, a scratch VAR_DIR, and
    the scratch PostgreSQL database when that is the one measured."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="luckygas.settings",
        DEBUG="1",
        VAR_DIR=str(var_dir),
        # A .env in the checkout (a server's settings) stays out of it.
        ENV_FILE="/nonexistent/.env",
        **extra,
    )
    env.pop("DATABASE_URL", None)
    if database == "postgresql":
        env["DATABASE_URL"] = database_url(pg_database)
    return env


def drop_scratch(database, sqlite_path, pg_database):
    """Remove a scratch database: the SQLite file or the PostgreSQL database."""
    if database == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    else:
        postgres("postgres", f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')


def database_url(database):
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def postgres(dbname, sql):
    """Run one statement outside a transaction; return its first row, if any."""
    connection = psycopg2.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=dbname
    )
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone() if cursor.description else None
    finally:
        connection.close()


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return 0.0


def postgres_version():
    return postgres("postgres", "SHOW server_version")[0].split()[0]


# The company's day, as the app's "today" is.
TAIPEI = ZoneInfo("Asia/Taipei")


def machine(databases):
    """What the numbers were measured on, as Markdown list lines."""
    software = [f"Python {platform.python_version()}"]
    if "sqlite" in databases:
        software.append(f"SQLite {sqlite3.sqlite_version}")
    if "postgresql" in databases:
        software.append(f"PostgreSQL {postgres_version()}")
    return [
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores",
        f"- Memory: {memory_gib():.1f} GiB",
        f"- Software: {', '.join(software)}, {platform.system()} {platform.release()}",
        f"- Date: {dt.datetime.now(TAIPEI).date().isoformat()} (Asia/Taipei)",
    ]


def write_section(text, start_mark, end_mark):
    """Replace one benchmark's section of the doc, creating the doc if missing."""
    if not DOC_PATH.exists():
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(f"{DOC_INTRO}\n{text}")
        return
    current = DOC_PATH.read_text()
    start, end = current.find(start_mark), current.find(end_mark)
    if start == -1 or end == -1:
        DOC_PATH.write_text(f"{current.rstrip()}\n\n{text}")
        return
    after = current[end + len(end_mark) :].lstrip("\n")
    DOC_PATH.write_text(current[:start] + text + (f"\n{after}" if after else ""))


def code_version():
    """The commit measured, and whether the work tree differed from it."""

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=BASE_DIR, capture_output=True, text=True
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    # This script's own output is no change to the code measured.
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs")
    return f"commit {commit}" + (" with uncommitted changes" if changed else "")


def add_database_options(parser):
    """The options every benchmark takes: which databases, and whether to
    write the doc."""
    parser.add_argument(
        "--databases",
        default=",".join(DATABASES),
        help="comma-separated, from: "
        + ", ".join(DATABASES)
        + " (default: all of them)",
    )
    parser.add_argument(
        "--no-write", action="store_true", help=f"print only, leave {DOC_PATH.name}"
    )


def at_least(minimum, maximum=None):
    """An argparse type: a whole number no smaller than `minimum` (and no
    larger than `maximum`, if given)."""

    def read(text):
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"at least {minimum:,}, not {text}")
        if maximum is not None and number > maximum:
            raise argparse.ArgumentTypeError(f"at most {maximum:,}, not {text}")
        return number

    return read


def print_machine(databases, version):
    """The machine lines the doc gets, on the screen too (with --no-write)."""
    print("\nMeasured on:\n")
    print("\n".join([*machine(databases), f"- Code: {version}"]))


def parse_with_databases(parser):
    """The arguments, --databases as a list of known names."""
    args = parser.parse_args()
    args.databases = [name.strip() for name in args.databases.split(",")]
    if "" in args.databases:
        parser.error(f"--databases has an empty name: {args.databases}")
    unknown = set(args.databases) - set(DATABASES)
    if unknown:
        parser.error(f"unknown database: {', '.join(sorted(unknown))}")
    return args
