"""Benchmark the import of a full delivery-history workbook on each database.

For SQLite and PostgreSQL: a fresh schema, the client list imported, then
`manage.py import_deliveries` run twice in a subprocess (the first import and an
idempotent rerun), timing each, apart from the refreshes of the reports and
forecasts it ends with, and reading its peak memory. The result table is
written into its own section of docs/PERFORMANCE.md. Run with `make bench`.
"""

import argparse
import datetime as dt
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass

from common import (
    BASE_DIR,
    DATA_DIR,
    DELIVERY_TABLES,
    DOC_PATH,
    add_database_options,
    at_least,
    code_version,
    drop_scratch,
    machine,
    parse_with_databases,
    postgres,
    print_machine,
    scratch_env,
    write_section,
)

VAR_DIR = DATA_DIR / "var"
SQLITE_PATH = VAR_DIR / "luckygas.sqlite3"

PG_DATABASE = "luckygas_bench"

SEED = 2021
END_DATE = dt.date(2025, 5, 31)
TARGET_SECONDS = 15
TARGET_MIB = 1024

START_MARK = "<!-- bench:import_history:start -->"
END_MARK = "<!-- bench:import_history:end -->"


# The command's lines saying how long its refreshes took.
REFRESHED = re.compile(r"^(?:報表|配送預測)已更新.*（([\d.]+) 秒）。$", re.M)


@dataclass
class Run:
    """One measured `import_deliveries` process: all of it, and the
    refreshes it ended with."""

    seconds: float
    refresh_seconds: float
    peak_mib: float

    @property
    def import_seconds(self):
        return self.seconds - self.refresh_seconds

    def meets_targets(self):
        return self.import_seconds < TARGET_SECONDS and self.peak_mib < TARGET_MIB

    def verdict(self):
        if self.meets_targets():
            return "meets the targets"
        return f"MISSES the targets (< {TARGET_SECONDS} s, < {TARGET_MIB} MiB)"


@dataclass
class Result:
    """The first import and the rerun of the history on one database."""

    database: str
    rows: int
    first: Run
    rerun: Run

    @property
    def rows_per_second(self):
        return self.rows / self.first.import_seconds

    def targets_met(self):
        missed = [
            name
            for name, run in (("first import", self.first), ("rerun", self.rerun))
            if not run.meets_targets()
        ]
        return f"no ({', '.join(missed)})" if missed else "yes"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows",
        type=at_least(1_000),
        default=349_920,
        help="rows of the history workbook (default %(default)s)",
    )
    parser.add_argument(
        "--customers",
        # The demo generator's customer codes run out beyond this.
        type=at_least(10, 30_000),
        default=1267,
        help="customers in the client list, 10 to 30,000 (default %(default)s)",
    )
    add_database_options(parser)
    return parse_with_databases(parser)


def workbook_paths(rows, customers):
    """Where the generated workbooks of this size are cached."""
    stem = f"{customers}-customers-{rows}-rows-seed{SEED}"
    return (
        DATA_DIR / f"client_list-{stem}.xlsx",
        DATA_DIR / f"delivery_history-{stem}.xlsx",
    )


def generate_workbooks(rows, customers):
    """Write the demo workbooks unless cached; return their paths."""
    client_path, history_path = workbook_paths(rows, customers)
    if client_path.exists() and history_path.exists():
        print(f"Using cached workbooks in {DATA_DIR.relative_to(BASE_DIR)}/")
        return client_path, history_path

    print(f"Generating {rows:,} deliveries for {customers:,} customers ...")
    started = time.perf_counter()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="luckygas.settings", DEBUG="1", VAR_DIR=str(VAR_DIR)
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from luckygas import demo

    clients, history = demo.build(random.Random(SEED), customers, rows, END_DATE)
    if len(history) != rows:
        sys.exit(f"The demo generator made {len(history):,} rows, not {rows:,}")
    DATA_DIR.mkdir(exist_ok=True)
    # Written under a temporary name so an interrupted run leaves no bad cache.
    for path, write, data in (
        (client_path, demo.write_client_list, clients),
        (history_path, demo.write_history, history),
    ):
        partial = path.with_suffix(".partial.xlsx")
        write(partial, data)
        partial.rename(path)
    print(f"Generated in {time.perf_counter() - started:.1f} s")
    return client_path, history_path


def child_env(database):
    """Environment for manage.py: dev settings, scratch VAR_DIR, chosen DB."""
    return scratch_env(database, VAR_DIR, PG_DATABASE)


def manage(database, *args):
    """Run manage.py to completion; return (wall seconds, peak RSS MiB, output)."""
    command = [sys.executable, "manage.py", *map(str, args)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=child_env(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read()
    process.stdout.close()
    # wait4 gives the rusage of this one child, unlike RUSAGE_CHILDREN.
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command[1:])} failed ({process.returncode}):\n{output}")
    return seconds, usage.ru_maxrss / 1024, output.strip()


def drop_database(database):
    drop_scratch(database, SQLITE_PATH, PG_DATABASE)


def create_database(database):
    """An empty scratch database with the current schema."""
    drop_database(database)
    if database == "postgresql":
        postgres("postgres", f'CREATE DATABASE "{PG_DATABASE}"')
    manage(database, "migrate", "--verbosity", "0")


def count_deliveries(database):
    """Deliveries stored, active and archived."""
    query = "SELECT " + " + ".join(
        f"(SELECT count(*) FROM {table})" for table in DELIVERY_TABLES
    )
    if database == "postgresql":
        return postgres(PG_DATABASE, query)[0]
    with closing(sqlite3.connect(SQLITE_PATH)) as connection:
        return connection.execute(query).fetchone()[0]


def print_summary(output):
    """What the command said: its summary and its refreshes."""
    for line in output.splitlines():
        print(f"    {line}")


def measure_import(database, history_path, label, expected):
    """Run import_deliveries once; check the stored count; return the Run."""
    seconds, peak_mib, output = manage(database, "import_deliveries", history_path)
    refreshes = sum(float(found) for found in REFRESHED.findall(output))
    run = Run(seconds, refreshes, peak_mib)
    print(
        f"  {label}: {run.import_seconds:.2f} s ({expected / run.import_seconds:,.0f} "
        f"rows/s), then refreshes {refreshes:.1f} s; peak {peak_mib:,.0f} MiB, "
        f"{run.verdict()}"
    )
    print_summary(output)
    stored = count_deliveries(database)
    if stored != expected:
        sys.exit(
            f"{database}: {stored:,} deliveries stored after the {label}, "
            f"expected {expected:,}"
        )
    return run


def bench_database(database, client_path, history_path, rows):
    """Fresh schema, client list, then the history imported twice."""
    print(f"{database}: fresh schema and client list ...")
    create_database(database)
    try:
        seconds, _, output = manage(database, "import_customers", client_path)
        print(f"  client list imported in {seconds:.1f} s")
        print_summary(output)
        first = measure_import(database, history_path, "first import", rows)
        rerun = measure_import(database, history_path, "rerun", rows)
    finally:
        drop_database(database)
    return Result(database, rows, first, rerun)


TABLE_HEADER = (
    "| Database | Rows | First import, own time (s) | Rows/s | Then refreshes (s) "
    "| Whole run (s) | Peak memory (MiB) | Rerun (s) | Rerun peak (MiB) "
    "| Targets met |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
)


def table(results):
    """The results as a Markdown table."""
    lines = [TABLE_HEADER]
    for result in results:
        lines.append(
            f"| {result.database} | {result.rows:,} "
            f"| {result.first.import_seconds:.1f} | {result.rows_per_second:,.0f} "
            f"| {result.first.refresh_seconds:.1f} | {result.first.seconds:.1f} "
            f"| {result.first.peak_mib:,.0f} "
            f"| {result.rerun.import_seconds:.1f} | {result.rerun.peak_mib:,.0f} "
            f"| {result.targets_met()} |"
        )
    return "\n".join(lines)


def section(results, databases, version):
    """This benchmark's section of docs/PERFORMANCE.md, markers included."""
    return f"""{START_MARK}
## Import of the delivery history

`bench/import_history.py` imports a delivery-history workbook as the old
system exports it, made up by the project's demo generator (`luckygas/demo.py`,
fixed seed, cached in `bench-data/`). For each database it creates a fresh
schema, imports the client list, then runs `manage.py import_deliveries` in a
subprocess and measures that whole process: wall time and peak resident
memory. Having added deliveries, the command ends by refreshing the reports
and every customer's forecast, for the whole database rather than the file
(`refresh_reports`' and `refresh_forecasts`' work, added to the import after
its target was set); their time, as the command prints it, is shown apart.
The import's own time (Python and Django start-up, reading the workbook,
parsing, inserting) is the whole run's less the refreshes'. The rerun imports
the same file again, inserts nothing and refreshes nothing. After each run
the script checks that the database holds exactly one delivery per row.

Targets: the whole file imported in under {TARGET_SECONDS} s, which "Targets met"
checks against the import's own time ("First import" and "Rerun"), not the
whole run with the refreshes, and under 1 GiB ({TARGET_MIB} MiB) of peak memory,
for the first import and the rerun alike. Rows/s is the row count over the
first import's own time.

Reproduce with `make bench`; the options (size, databases) are listed by
`.venv/bin/python bench/import_history.py --help`.

{table(results)}

Measured on:

{chr(10).join(machine(databases))}
- Code: {version}
{END_MARK}
"""


def main():
    args = parse_args()
    client_path, history_path = generate_workbooks(args.rows, args.customers)
    results = [
        bench_database(database, client_path, history_path, args.rows)
        for database in args.databases
    ]
    print()
    print(table(results))
    version = code_version()
    print_machine(args.databases, version)
    if not args.no_write:
        write_section(section(results, args.databases, version), START_MARK, END_MARK)
        print(f"\nWrote {DOC_PATH.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
