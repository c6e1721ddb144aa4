"""Benchmark the office pages at a size of history, on each database.

For SQLite and PostgreSQL: a data set built with the project's own demo
generator and importers (13,000 customers, the deliveries ending today, those
older than 180 days moved to the archive table, as production will have them),
then each office page requested through the full Django request cycle with the
test client as a logged-in office user, timing every request. The result table
is written into its own section of docs/PERFORMANCE.md.

The SQLite file is kept in bench-data/pages-<size>/ and reused while it holds the
requested number of deliveries (--rebuild forces a new one); the PostgreSQL
database is scratch, created for the run and dropped after it.
"""

import argparse
import datetime as dt
import gc
import io
import json
import math
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

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

# Each size of data set has its own folder (not import_history's var/, whose
# SQLite file that script deletes) and its own section of the doc: set by
# use_data_set() before anything else runs.
VAR_DIR = SQLITE_PATH = START_MARK = END_MARK = None

PG_DATABASE = "luckygas_bench_pages"

SEED = 2021
# Client-list customers; demo.build adds nine history-only households for each.
CLIENTS = 1300
ARCHIVE_AFTER_DAYS = 180
# What the archive benchmark moves: the six months before the cutoff.
SIX_MONTHS_DAYS = 183
# As large as SQLite takes: each batch lists its ids as query parameters.
ARCHIVE_BATCH = 30_000
# Phone orders, so the order list and the intake form have some to show.
ORDERS_PER_DAY = 120
ORDER_DAYS = range(-90, 8)

TARGET_MS = 50
OFFICE_USERNAME = "bench-office"
# Enough for the deep history pages to find busy customers with years in the
# archive (100,000 is too few).
MIN_DELIVERIES = 300_000
WARMUP = 5
REQUESTS = 30
VARIETY = 30  # customers (or names, or cursors) cycled through per page
CUSTOMER_PAGES_DEEP = 10
CUSTOMER_PAGE_SIZE = 25  # customers.views.HISTORY_PAGE_SIZE
HISTORY_PAGES_DEEP = 20
CODE_PREFIX = "19"
DATE_RANGE = ("114/01/01", "114/01/31")
AREA = "A"


def use_data_set(deliveries):
    global VAR_DIR, SQLITE_PATH, START_MARK, END_MARK
    VAR_DIR = DATA_DIR / f"pages-{deliveries}"
    SQLITE_PATH = VAR_DIR / "luckygas.sqlite3"
    START_MARK = f"<!-- bench:pages:{deliveries}:start -->"
    END_MARK = f"<!-- bench:pages:{deliveries}:end -->"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--deliveries",
        type=at_least(MIN_DELIVERIES),
        default=3_500_000,
        help="deliveries in the data set (default %(default)s; 349920 is the "
        "company's size)",
    )
    add_database_options(parser)
    parser.add_argument(
        "--rebuild", action="store_true", help="build the SQLite data set anew"
    )
    # What the script runs in a subprocess per database, with that one's env.
    parser.add_argument(
        "--worker", choices=("build", "measure", "archive"), help=argparse.SUPPRESS
    )
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    return parse_with_databases(parser)


# --- The parent process: data sets, workers, the table and the doc ---------


def child_env(database):
    """Dev settings (DEBUG is switched off in the worker), scratch VAR_DIR."""
    return scratch_env(
        database,
        VAR_DIR,
        PG_DATABASE,
        ALLOWED_HOSTS="testserver",
        PYTHONPATH=str(BASE_DIR),
    )


def run_worker(step, database, args):
    """Run this script's `step` for `database` in a subprocess; return its JSON."""
    out = VAR_DIR / f"{step}-{database}.json"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        __file__,
        "--worker",
        step,
        "--databases",
        database,
        "--deliveries",
        str(args.deliveries),
        "--out",
        str(out),
    ]
    process = subprocess.run(command, cwd=BASE_DIR, env=child_env(database))
    if process.returncode != 0:
        sys.exit(f"{database}: the {step} step failed ({process.returncode})")
    return json.loads(out.read_text())


def dataset_path(database):
    return VAR_DIR / f"dataset-{database}.json"


def drop_database(database):
    drop_scratch(database, SQLITE_PATH, PG_DATABASE)
    dataset_path(database).unlink(missing_ok=True)


def sqlite_deliveries():
    """Deliveries in the kept SQLite file, active and archived; None if unreadable."""
    query = "SELECT " + " + ".join(
        f"(SELECT count(*) FROM {table})" for table in DELIVERY_TABLES
    )
    try:
        with closing(sqlite3.connect(f"file:{SQLITE_PATH}?mode=ro", uri=True)) as db:
            return db.execute(query).fetchone()[0]
    except sqlite3.Error:
        return None


def reusable_sqlite(deliveries):
    """The recorded data set of the kept SQLite file, if it has that size."""
    path = dataset_path("sqlite")
    if not (SQLITE_PATH.exists() and path.exists()):
        return None
    dataset = json.loads(path.read_text())
    if dataset.get("deliveries") != deliveries:
        return None
    if sqlite_deliveries() != deliveries:
        return None
    return dataset


def prepare(database, args):
    """The data set of `database`: reused (SQLite only) or built anew."""
    if database == "sqlite" and not args.rebuild:
        dataset = reusable_sqlite(args.deliveries)
        if dataset:
            print(
                f"sqlite: reusing {SQLITE_PATH.relative_to(BASE_DIR)} "
                f"({dataset['deliveries']:,} deliveries, built {dataset['built']})"
            )
            return {**dataset, "reused": True}
    print(f"{database}: building {args.deliveries:,} deliveries ...")
    drop_database(database)
    if database == "postgresql":
        postgres("postgres", f'CREATE DATABASE "{PG_DATABASE}"')
    dataset = run_worker("build", database, args)
    dataset_path(database).write_text(json.dumps(dataset, indent=2))
    return {**dataset, "reused": False}


def bench_database(database, args):
    """(data set, page results) of one database; PostgreSQL is dropped after."""
    try:
        dataset = prepare(database, args)
        print(f"{database}: refreshing the reports, measuring the pages ...")
        measured = run_worker("measure", database, args)
        print(f"{database}: archiving six months ...")
        archived = run_worker("archive", database, args)
    finally:
        if database == "postgresql":
            drop_database(database)
    dataset = {
        **dataset,
        "refresh": measured["refresh"],
        "forecasts": measured["forecasts"],
        "operations": measured["operations"],
        "archive": archived,
    }
    return dataset, measured["pages"]


def verdict(page):
    return "yes" if page["median_ms"] < TARGET_MS else "**no**"


TABLE_HEADER = (
    "| Page | Database | Median (ms) | p95 (ms) | Queries | SQL (ms) | Target met |\n"
    "|---|---|--:|--:|--:|--:|---|"
)


def table(results):
    """One row per page and database, the databases of a page side by side."""
    lines = [TABLE_HEADER]
    names = list(
        dict.fromkeys(p["page"] for _, pages in results.values() for p in pages)
    )
    for name in names:
        for database, (_, pages) in results.items():
            for page in pages:
                if page["page"] == name:
                    lines.append(
                        f"| {name} | {database} | {page['median_ms']:.1f} "
                        f"| {page['p95_ms']:.1f} | {page['queries']} "
                        f"| {page['sql_ms']:.1f} | {verdict(page)} |"
                    )
    return "\n".join(lines)


def operations_table(results):
    lines = [
        "| Operation | Database | Median (ms) | p95 (ms) | Target (ms) | Target met |",
        "|---|---|--:|--:|--:|---|",
    ]
    for name in OPERATION_TARGETS_MS:
        for database, (dataset, _) in results.items():
            for op in dataset["operations"]:
                if op["operation"] == name:
                    met = "yes" if op["median_ms"] < op["target_ms"] else "**no**"
                    lines.append(
                        f"| {name} | {database} | {op['median_ms']:.2f} "
                        f"| {op['p95_ms']:.2f} | {op['target_ms']} | {met} |"
                    )
    return "\n".join(lines)


def sequential_scan_lines(results):
    """Each page whose queries read a deliveries table from end to end."""
    return [
        f"- {database}: {page['page']}: {sql}"
        for database, (_, pages) in results.items()
        for page in pages
        for sql in page["seq_scans"]
    ]


def dataset_size(results):
    return next(iter(results.values()))[0]["deliveries"]


def explain_text(results):
    if "postgresql" not in results:
        return "PostgreSQL was not measured in this run: no plan was checked."
    scans = sequential_scan_lines(results)
    verdict = "None does." if not scans else "These do:\n" + "\n".join(scans)
    return (
        "On PostgreSQL every SELECT of one request of every page above (the page\n"
        "listed below) is also planned with EXPLAIN; the benchmark fails when one\n"
        f"would read a deliveries table by a sequential scan. {verdict}"
    )


def page_list(results):
    """What each page of the table requests, as Markdown list lines."""
    _, pages = next(iter(results.values()))
    return "\n".join(f"- {page['page']}: `{page['example']}`" for page in pages)


def dataset_lines(results):
    lines = []
    for database, (dataset, _) in results.items():
        built = f"built in {dataset['build_seconds'] / 60:.1f} min"
        steps = ", ".join(
            f"{name} {seconds:.0f} s" for name, seconds in dataset["steps"].items()
        )
        reused = f" on {dataset['built']}, reused" if dataset["reused"] else ""
        lines.append(f"- {database}: {built}{reused} ({steps})")
    return lines


def refresh_lines(results):
    lines = []
    for database, (dataset, _) in results.items():
        first, again = dataset["refresh"]["runs"]
        tables = ", ".join(
            f"{table.removeprefix('reports_')} {seconds:.1f} s"
            for table, seconds in first["tables"].items()
        )
        rows = ", ".join(
            f"{table.removeprefix('reports_')} {count:,}"
            for table, count in dataset["refresh"]["rows"].items()
        )
        lines.append(
            f"- {database}: {first['seconds']:.1f} s ({tables}), "
            f"again {again['seconds']:.1f} s; rows: {rows}; "
            f"{first['flags']:,} consumption flags"
        )
    return lines


def forecast_lines(results):
    return [
        f"- {database}: {dataset['forecasts']['seconds']:.1f} s, "
        f"{dataset['forecasts']['stored']:,} customers"
        for database, (dataset, _) in results.items()
    ]


def archive_lines(results):
    lines = []
    for database, (dataset, _) in results.items():
        run = dataset["archive"]
        lines.append(
            f"- {database}: {run['moved']:,} deliveries ({run['first_day']} to "
            f"the day before {run['cutoff']}) in {run['seconds']:.1f} s, "
            f"{run['batches']} batches of {run['batch_size']:,}; longest "
            f"transaction {run['longest_ms']:.0f} ms, median {run['median_ms']:.0f} ms"
        )
    return lines


def dataset_text(dataset):
    """The size of the data set, as a sentence."""
    return (
        f"Data set: {dataset['customers']:,} customers "
        f"({dataset['client_list']:,} from the client list, the others from the "
        f"history only), {dataset['deliveries']:,} deliveries "
        f"({dataset['active']:,} active, {dataset['archived']:,} archived, "
        f"from {dataset['first_day']} to {dataset['last_day']}), "
        f"{dataset['orders']:,} phone orders."
    )


def load_text(results):
    """The machine's load while measuring: other work slows the pages too."""
    loads = [page["load"] for _, pages in results.values() for page in pages]
    return (
        f"Load average (1 min) while measuring: {min(loads):.1f} to "
        f"{max(loads):.1f}, on {os.cpu_count()} cores"
    )


def section(results, databases, version):
    """This benchmark's section of docs/PERFORMANCE.md, markers included."""
    dataset, _ = next(iter(results.values()))
    size = dataset["deliveries"]
    size = f"{size / 1_000_000:g} million" if size >= 1_000_000 else f"{size:,}"
    return f"""{START_MARK}
## Office and report pages at {size} deliveries

`bench/pages.py` builds a data set with the project's demo generator
(`luckygas/demo.py`, fixed seed) and its real importers, run in-process
without the xlsx layer for the history: the client list goes through
`ClientListImporter`, the history rows through `HistoryImporter`. The
deliveries end on the day of the build; those older than {ARCHIVE_AFTER_DAYS} days
are then moved, ids kept, from `deliveries_delivery` to
`deliveries_deliveryhistory` by `deliveries.archiving` (the code of
`manage.py archive_deliveries`, in batches of {ARCHIVE_BATCH:,}), and the
database is analyzed. {ORDERS_PER_DAY} phone orders a day are added from 90
days back to a week ahead, so that the order list has something to show.
Before measuring, today's runs are planned as `make run` plans them (the
demo's eight runs, six by car and two by motorcycle, of up to 25 stops from
the due list, with the demo's drivers), once a day on a kept data set.

Each page is then requested through the full Django request cycle (URL
routing, middleware, session and login, view, templates) with
`django.test.Client`, logged in as an office user (the driver's page as the
run's driver), in a process with `DEBUG`
off; after each request the connections are kept or closed as a WSGI server
does (each database's connection is kept up to ten minutes, CONN_MAX_AGE).
What the process holds before measuring is frozen out of the garbage
collector's scans, as gunicorn's workers freeze what they loaded. The
pages are requested in rounds, each page once a round, so that a slower spell
of the machine falls on all of them alike; the phone order save comes last,
in rounds of its own, as its orders would add to the lists. Per
page: {WARMUP} warm-up requests, then {REQUESTS} timed ones; the pages about a customer
cycle through {VARIETY} customers (names, codes and archive positions picked at
random from the database with a fixed seed), so that no single row stays hot.
p95 is the 29th of the 30 sorted times; queries are counted on one request.
The deep history pages continue from a cursor the pages themselves produce:
by following the "next page" link, or (for positions thousands of rows down)
the cursor `deliveries.history` makes after that many rows.
The process has the app's default cache (its own memory): the report pages
keep their figures there per refresh, so "Monthly report (this month)" is
served from the cache after its first request, while "the last
{VARIETY} months" times {REQUESTS} requests for different months, all but the
{WARMUP} the warm-up asked for computed anew: mostly uncached requests.

Target: every page under {TARGET_MS} ms median. SQL is the time the SELECTs of one
request take when run again right after it, rows fetched (a page's writes, as
the phone order save's INSERTs, are not run again); the rest of a request is
mostly Python: middleware, the view, building model instances, the templates.
The dispatch sheet's QR codes are made on a run's first print in a process and
kept: the runs the warm-up did not reach are printed first among the timed
requests, which is its p95, as a worker's first print of a run is each day.

Reproduce with `.venv/bin/python bench/pages.py --deliveries {dataset_size(results)}`
(after `make install`; options: `--help`); the
SQLite file is kept in `bench-data/{VAR_DIR.name}/` for the next run, `--rebuild`
makes it anew. The PostgreSQL database `{PG_DATABASE}` is created and dropped
by each run.

{table(results)}

The architecture's five operations at the query level (the ORM calls the
pages make, timed without the request around them; {WARMUP} warm-up calls,
then {REQUESTS}): a delivery by id; a customer's 100 latest deliveries
across the active and archive tables, for {VARIETY} busy customers; the
runs of a day with their drivers and vehicles; the monthly report's
figures for {VARIETY} months, uncached; 100 phone orders with their items in
one transaction. Targets: ten times under the architecture document's, as
medians.

{operations_table(results)}

{explain_text(results)}

The pages:

{page_list(results)}

{dataset_text(dataset)}

Build time per database (generating, importing, archiving, analyzing):

{chr(10).join(dataset_lines(results))}

Refresh of the report summaries (`manage.py refresh_reports`: materialized
views refreshed concurrently on PostgreSQL, summary tables on SQLite, then the
consumption flags), run twice before the pages are measured: first on the
new data set, then again with nothing changed, as cron's hourly run finds it.

{chr(10).join(refresh_lines(results))}

The nightly forecast of each customer's next delivery (`manage.py
refresh_forecasts`), made before the pages are measured, so that the due list
reads stored forecasts as it does on the server:

{chr(10).join(forecast_lines(results))}

Archiving six months (`manage.py archive_deliveries`' code, its default batch
size, each batch one transaction: lock the batch, copy it with its items,
delete it): the six months before the 180-day cutoff are first moved back
from the archive, untimed, then archived again; counts and the sum of ids
are checked before and after. The longest transaction is the longest time a
writer may wait for the lock on SQLite.

{chr(10).join(archive_lines(results))}

Measured on:

{chr(10).join(machine(databases))}
- {load_text(results)}
- Code: {version}
{END_MARK}
"""


def print_slow(results):
    """The slowest query of each page over the target, with its plan."""
    for database, (_, pages) in results.items():
        for page in pages:
            if page["median_ms"] < TARGET_MS:
                continue
            print(f"\n{database}: {page['page']} — {page['median_ms']:.1f} ms median")
            print(
                f"  {page['queries']} queries, {page['sql_ms']:.0f} ms of SQL; "
                f"the slowest ({page['slowest_ms']:.0f} ms):"
            )
            print(f"    {page['slowest_sql']}")
            print("  plan:")
            for line in page["plan"].splitlines():
                print(f"    {line}")


def main():
    args = parse_args()
    use_data_set(args.deliveries)
    if args.worker:
        return worker(args)
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    version = code_version()
    results = {database: bench_database(database, args) for database in args.databases}
    if code_version() != version:
        version += ", changed during the run"
    print()
    print(table(results))
    print()
    print(operations_table(results))
    print_slow(results)
    print_machine(args.databases, version)
    if not args.no_write:
        write_section(section(results, args.databases, version), START_MARK, END_MARK)
        print(f"\nWrote {DOC_PATH.relative_to(BASE_DIR)}")
    scans = sequential_scan_lines(results)
    if scans:
        sys.exit("Sequential scans of a deliveries table:\n" + "\n".join(scans))


# --- The workers: Django set up for one database ---------------------------


def worker(args):
    import django
    from django.conf import settings

    django.setup()
    # Dev settings for the rest, but no query log and no debug templates.
    settings.DEBUG = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    steps = {"build": lambda: build(args.deliveries), "measure": measure}
    result = steps.get(args.worker, archive_six_months)()
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))


class Steps:
    """Wall time of each named step, printed as it ends."""

    def __init__(self):
        self.seconds = {}
        self.started = time.perf_counter()

    def __call__(self, name):
        now = time.perf_counter()
        self.seconds[name] = now - self.started
        print(f"  {name}: {self.seconds[name]:.1f} s", flush=True)
        self.started = now


def build(deliveries):
    """Customers, deliveries, orders and the archive, the way production has them."""
    from django.db import connection
    from django.db.models import Max, Min

    from customers.importing import ClientListImporter
    from customers.models import Customer
    from deliveries import archiving
    from deliveries.importing import HISTORY_COLUMNS, HistoryImporter
    from deliveries.models import Delivery, DeliveryHistory, Order
    from luckygas import demo
    from luckygas.dates import to_roc_number, today

    started = time.perf_counter()
    steps = Steps()
    with connection.cursor() as cursor:
        # Settings of this connection only, to load faster; the measuring
        # process has the app's own.
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size=-2000000")  # 2 GB of index pages
        else:
            cursor.execute("SET synchronous_commit = off")
    end = today()
    rng = random.Random(SEED)
    clients, history = demo.build(rng, CLIENTS, deliveries, end)
    if len(history) != deliveries:
        sys.exit(f"The demo generator made {len(history):,} rows, not {deliveries:,}")
    steps("generate")

    client_path = VAR_DIR / "client_list.xlsx"
    demo.write_client_list(client_path, clients)
    summary = ClientListImporter(client_path, verbosity=0).run()
    print(f"    {summary.line()}")
    steps("client list")

    # The rows as the workbook reader would give them: ROC dates as numbers.
    roc = {}
    rows = [
        [
            code,
            title,
            short_name,
            address,
            roc.get(day) or roc.setdefault(day, to_roc_number(day)),
        ]
        for code, title, short_name, address, day in history
    ]
    del history
    importer = HistoryImporter(VAR_DIR / "history (in memory)", verbosity=0)
    positions = {name: index for index, name in enumerate(HISTORY_COLUMNS)}
    counts, names = importer.parse(positions, rows)
    del rows
    missing = importer.missing_deliveries(counts, importer.save_customers(names))
    del counts, names
    steps("history parse")
    importer.insert(missing)
    if importer.summary.created != deliveries or importer.rejects.rejected_rows:
        sys.exit(f"History import: {importer.summary.line()}")
    steps("history insert")

    create_orders(rng, end)
    steps("orders")

    archiving.archive(end - dt.timedelta(days=ARCHIVE_AFTER_DAYS), ARCHIVE_BATCH)
    steps("archive")

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The archive leaves millions of dead rows; production's autovacuum
            # would get to them, the measurement should not wait for it.
            cursor.execute("VACUUM (ANALYZE)")
            # Written out now, not by a checkpoint in the middle of the timing.
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    steps("analyze")

    span = [
        model.objects.aggregate(first=Min("delivery_date"), last=Max("delivery_date"))
        for model in (Delivery, DeliveryHistory)
    ]
    return {
        "deliveries": deliveries,
        "active": Delivery.objects.count(),
        "archived": DeliveryHistory.objects.count(),
        "customers": Customer.objects.count(),
        "client_list": Customer.objects.filter(
            origin=Customer.Origin.CLIENT_LIST
        ).count(),
        "orders": Order.objects.count(),
        "first_day": str(min(part["first"] for part in span if part["first"])),
        "last_day": str(max(part["last"] for part in span if part["last"])),
        "built": end.isoformat(),
        "steps": steps.seconds,
        "build_seconds": time.perf_counter() - started,
    }


def create_orders(rng, end):
    """ORDERS_PER_DAY orders a day: done or cancelled before today, open after."""
    from customers.models import Customer
    from deliveries.models import Order, OrderItem, Product

    customer_ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    clerk = office_user()
    product_ids = list(
        Product.objects.filter(is_flow=False)
        .order_by("id")
        .values_list("id", flat=True)
    )
    slots = [None, *Customer.TimeSlot.values]
    orders, products = [], []
    for offset in ORDER_DAYS:
        day = end + dt.timedelta(days=offset)
        for customer_id in rng.sample(customer_ids, ORDERS_PER_DAY):
            if day >= end:
                status = Order.Status.OPEN
            elif rng.random() < 0.05:
                status = Order.Status.CANCELLED
            else:
                status = Order.Status.DELIVERED
            orders.append(
                Order(
                    customer_id=customer_id,
                    order_date=day - dt.timedelta(days=rng.randint(0, 2)),
                    requested_date=day,
                    status=status,
                    time_slot=rng.choice(slots),
                    created_by=clerk,
                )
            )
            products.append(rng.sample(product_ids, rng.choice([1, 1, 1, 2])))
    Order.objects.bulk_create(orders, batch_size=1000)
    OrderItem.objects.bulk_create(
        (
            OrderItem(order=order, product_id=product_id, quantity=rng.randint(1, 4))
            for order, chosen in zip(orders, products, strict=True)
            for product_id in chosen
        ),
        batch_size=1000,
    )


def archive_six_months():
    """Time archive_deliveries' own code moving six months of deliveries.

    The data set keeps its last 180 days active; the six months before them
    are first moved back from the archive (not timed), then archived again
    with the command's batch size, each batch one transaction. The data set
    ends as it began, and the counts and a sum of the ids are checked.
    """
    from django.db import connection, transaction
    from django.db.models import Sum

    from deliveries import archiving
    from deliveries.models import Delivery, DeliveryHistory, DeliveryItem
    from luckygas.dates import today

    cutoff = archiving.cutoff_for(ARCHIVE_AFTER_DAYS)
    first = cutoff - dt.timedelta(days=SIX_MONTHS_DAYS)
    columns = ", ".join(
        connection.ops.quote_name(field.column)
        for field in Delivery._meta.concrete_fields
    )
    where = "delivery_date >= %s AND delivery_date < %s"
    days = [connection.ops.adapt_datefield_value(day) for day in (first, cutoff)]
    items = ", ".join(
        connection.ops.quote_name(field.column)
        for field in DeliveryItem._meta.concrete_fields
        if field.column != "id"
    )
    batch = f"SELECT id FROM deliveries_deliveryhistory WHERE {where}"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO deliveries_delivery ({columns}) "
            f"SELECT {columns} FROM deliveries_deliveryhistory WHERE {where}",
            days,
        )
        cursor.execute(
            f"INSERT INTO deliveries_deliveryitem ({items}) "
            f"SELECT {items} FROM deliveries_deliveryhistoryitem "
            f"WHERE delivery_id IN ({batch})",
            days,
        )
        cursor.execute(
            "DELETE FROM deliveries_deliveryhistoryitem "
            f"WHERE delivery_id IN ({batch})",
            days,
        )
        cursor.execute(f"DELETE FROM deliveries_deliveryhistory WHERE {where}", days)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    def census():
        return [
            (model.objects.count(), model.objects.aggregate(s=Sum("id"))["s"] or 0)
            for model in (Delivery, DeliveryHistory)
        ]

    before = census()
    batches, last = [], time.perf_counter()

    def batch_done(count):
        nonlocal last
        now = time.perf_counter()
        batches.append(now - last)
        last = now

    started = time.perf_counter()
    moved = archiving.archive(cutoff, archiving.BATCH_SIZE, batch_done)
    seconds = time.perf_counter() - started
    after = census()
    total = [sum(part) for part in zip(*before, strict=True)]
    if [sum(part) for part in zip(*after, strict=True)] != total:
        sys.exit(f"Archiving lost or doubled deliveries: {before} -> {after}")
    print(
        f"  moved {moved:,} in {seconds:.1f} s, {len(batches)} batches, "
        f"longest {max(batches) * 1000:.0f} ms",
        flush=True,
    )
    return {
        "moved": moved,
        "first_day": first.isoformat(),
        "cutoff": cutoff.isoformat(),
        "today": today().isoformat(),
        "seconds": seconds,
        "batches": len(batches),
        "batch_size": archiving.BATCH_SIZE,
        "longest_ms": max(batches) * 1000,
        "median_ms": statistics.median(batches) * 1000,
    }


def office_user():
    """The office clerk who takes the orders and requests the pages."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from luckygas.roles import OFFICE

    user, _ = get_user_model().objects.get_or_create(username=OFFICE_USERNAME)
    user.groups.add(Group.objects.get(name=OFFICE))
    return user


def measure():
    """Every page: warm-up, timed requests, a query count; plans of slow ones."""
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from deliveries.models import Order
    from luckygas.dates import to_roc

    refresh = refresh_reports()
    forecasts = refresh_forecasts()
    routes = plan_runs()
    client = Client()
    client.force_login(office_user())
    driver = Client()
    driver.force_login(routes[0].driver.user)

    # The test environment records each response's context, which the walk
    # through the history pages reads; its cost stays out of the timing.
    setup_test_environment(debug=False)
    try:
        pages = plan_pages(client, random.Random(SEED))
    finally:
        teardown_test_environment()
    settings.DEBUG = False

    pages += [
        ("Due list (tomorrow)", ["/routing/due/"]),
        (
            "Runs of the day (today)",
            [f"/routing/runs/?day={to_roc(routes[0].route_date)}"],
        ),
        ("Run page", [f"/routing/runs/{route.pk}/" for route in routes]),
        ("Dispatch sheet", [f"/routing/runs/{route.pk}/sheet/" for route in routes]),
    ]
    own = [route for route in routes if route.driver_id == routes[0].driver_id]
    pages.append(
        (
            "Driver: run page (phone)",
            [f"/routing/driver/runs/{route.pk}/" for route in own],
            driver,
        )
    )
    pages.append(("Phone order save", order_posts(), client))

    # As gunicorn's workers do once the app is loaded (gunicorn.conf.py), what
    # the process holds by now is frozen out of the garbage collector's scans.
    gc.collect()
    gc.freeze()
    orders_before = Order.objects.order_by("-pk").values_list("pk", flat=True)[0]
    # The phone orders last: they add to the lists the other pages show.
    *reading, saving = pages
    samples = sample_rounds(reading, client) | sample_rounds([saving], client)
    results = []
    for name, requests, *who in pages:
        result = measure_page(who[0] if who else client, name, requests, samples[name])
        print(
            f"  {name}: {result['median_ms']:.1f} ms median, "
            f"{result['p95_ms']:.1f} ms p95, {result['queries']} queries, "
            f"{result['sql_ms']:.0f} ms SQL",
            flush=True,
        )
        results.append(result)
    # The phone orders the save page made (the newest), so that a kept data
    # set stays the one the doc describes.
    Order.objects.filter(pk__gt=orders_before).delete()
    return {
        "pages": results,
        "operations": operations(random.Random(SEED), routes),
        "refresh": refresh,
        "forecasts": forecasts,
    }


# The architecture's five operations and its targets, ten times lower.
OPERATION_TARGETS_MS = {
    "Single delivery lookup": 1,
    "A customer's 100 latest deliveries": 5,
    "A day's routes": 10,
    "Monthly report": 50,
    "100 orders inserted": 20,
}


def operations(rng, routes):
    """The architecture's five operations timed at the query level: the ORM
    calls the pages make, without the request around them."""
    from django.db import transaction

    from customers.models import Customer
    from deliveries.history import HistoryFilter, history_page
    from deliveries.models import Delivery, Order, OrderItem, Product
    from luckygas.dates import today
    from reports import figures
    from reports.consumption import add_months, month_start
    from routing.models import Route

    deliveries = rng.sample(list(Delivery.objects.values_list("pk", flat=True)), 100)
    busy = list(
        Customer.objects.filter(code__in=busy_customers(rng, VARIETY)[0]).values_list(
            "pk", flat=True
        )
    )
    months = [add_months(month_start(today()), -n) for n in range(VARIETY)]
    days = sorted({route.route_date for route in routes})
    product = Product.objects.get(code="std20")
    hundred = list(Customer.objects.order_by("id").values_list("pk", flat=True)[:100])
    # A day of their own, so that the orders are found and removed afterwards.
    far = today() + dt.timedelta(days=3650)

    def insert_orders(_):
        with transaction.atomic():
            orders = Order.objects.bulk_create(
                Order(customer_id=pk, requested_date=far) for pk in hundred
            )
            OrderItem.objects.bulk_create(
                OrderItem(order=order, product=product, quantity=1) for order in orders
            )

    cases = {
        "Single delivery lookup": lambda i: Delivery.objects.get(
            pk=deliveries[i % len(deliveries)]
        ),
        "A customer's 100 latest deliveries": lambda i: (
            history_page(HistoryFilter(customer_id=busy[i % len(busy)]), "", 100).rows
        ),
        "A day's routes": lambda i: list(
            Route.objects.filter(route_date=days[i % len(days)])
            .select_related("driver", "vehicle")
            .order_by("route_code")
        ),
        "Monthly report": lambda i: figures.monthly(months[i % len(months)]),
        "100 orders inserted": insert_orders,
    }
    results = []
    for name, run in cases.items():
        samples = []
        for index in range(WARMUP + REQUESTS):
            started = time.perf_counter()
            run(index)
            if index >= WARMUP:
                samples.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "operation": name,
                "target_ms": OPERATION_TARGETS_MS[name],
                "median_ms": statistics.median(samples),
                "p95_ms": percentile(samples, 0.95),
            }
        )
        print(f"  {name}: {results[-1]['median_ms']:.2f} ms median", flush=True)
    Order.objects.filter(requested_date=far).delete()
    return results


def plan_runs():
    """Today's runs filled from the due list, with drivers who log in, as
    `make run` plans them; planned once a day on a kept data set."""
    from customers.management.commands.seed_demo import Command, create_runs
    from luckygas.dates import today
    from routing import runs
    from routing.models import Route

    if not Route.objects.filter(route_date=today()).exists():
        Command(stdout=io.StringIO()).ensure_fleet()
        for route, group in create_runs(today()):
            runs.fill_route(route, group, limit=runs.FULL_RUN)
    return list(
        Route.objects.filter(route_date=today())
        .select_related("driver__user")
        .order_by("pk")
    )


def order_posts():
    """Phone orders as the intake form sends them, each with its own token,
    for the customers with the fewest open orders."""
    from customers.models import Customer
    from luckygas.dates import to_roc, today

    codes = Customer.objects.order_by("id").values_list("code", flat=True)
    tomorrow = to_roc(today() + dt.timedelta(days=1))
    return [
        Post(
            f"/orders/new/?{urlencode({'customer': code})}",
            lambda: {
                "token": str(uuid.uuid4()),
                "requested_date": tomorrow,
                "time_slot": "",
                "note": "",
                "quantity_std20": "1",
            },
        )
        for code in codes[:VARIETY]
    ]


def refresh_forecasts():
    """The nightly refresh_forecasts, timed."""
    from routing import forecast

    started = time.perf_counter()
    stored, _ = forecast.refresh()
    seconds = time.perf_counter() - started
    print(f"  forecasts: {seconds:.1f} s, {stored:,} customers", flush=True)
    return {"seconds": seconds, "stored": stored}


def refresh_reports():
    """Refresh the report summaries twice, timing each: the first fills them
    from the new data set, the second is cron's refresh of an unchanged day."""
    from django.db import connection

    from reports import summaries
    from reports.refreshing import refresh

    if connection.vendor == "sqlite":
        # A reused file holds an earlier run's sums: start from none, as
        # PostgreSQL's views, new with the scratch database, do.
        with connection.cursor() as cursor:
            for summary in summaries.SUMMARIES:
                cursor.execute(f"DELETE FROM {summary.table}")
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        _, tables, flags = refresh("bench")
        runs.append(
            {
                "seconds": time.perf_counter() - started,
                "tables": tables,
                "flags": flags,
            }
        )
    with connection.cursor() as cursor:
        rows = {}
        for summary in summaries.SUMMARIES:
            cursor.execute(f"SELECT count(*) FROM {summary.table}")
            rows[summary.table] = cursor.fetchone()[0]
    print(f"  refresh: {runs[0]['seconds']:.1f} s, again {runs[1]['seconds']:.1f} s")
    return {"runs": runs, "rows": rows}


@dataclass
class Post:
    """A form sent: where, and a function giving the fields of each sending."""

    url: str
    data: Callable

    def __str__(self):
        return self.url


def get(client, request):
    """One request (a URL, or a Post), then the connections closed or kept as
    after a real one."""
    from django.db import close_old_connections

    if isinstance(request, Post):
        response, expected = client.post(request.url, request.data()), 302
    else:
        response, expected = client.get(request), 200
    close_old_connections()
    if response.status_code != expected:
        sys.exit(f"{request} answered {response.status_code}")
    return response


def next_cursor(client, url):
    return get(client, url).context["history"].next_cursor


def walk(client, path, pages, query=()):
    """The URL of the page after `pages` pages, following the next-page cursor."""
    url = f"{path}?{urlencode(query)}" if query else path
    for _ in range(pages):
        cursor = next_cursor(client, url)
        if not cursor:
            sys.exit(f"{path} has fewer than {pages + 1} pages")
        url = f"{path}?{urlencode([*query, ('cursor', cursor)])}"
    return url


def name_parts(rng, count):
    """Two letters of the names of random customers, as the office types them."""
    from customers.models import Customer

    names = list(
        Customer.objects.order_by("id").values_list("short_name", "invoice_title")
    )
    parts = []
    while len(parts) < count:
        short_name, title = rng.choice(names)
        name = short_name or title
        starts = [
            index
            for index in range(len(name) - 1)
            if name[index].isalpha() and name[index + 1].isalpha()
        ]
        if starts:
            start = rng.choice(starts)
            parts.append(name[start : start + 2])
    return parts


def busy_customers(rng, count):
    """Codes of `count` customers among the busiest (three times as many, by
    archived deliveries), and how many pages deep all their histories go,
    up to CUSTOMER_PAGES_DEEP."""
    from django.db.models import Count

    from customers.models import Customer
    from deliveries.models import DeliveryHistory

    top = (
        DeliveryHistory.objects.values_list("customer_id")
        .annotate(count=Count("id"))
        .order_by("-count", "customer_id")[: count * 3]
    )
    chosen = rng.sample(list(top), count)
    fewest = min(archived for _, archived in chosen)
    deep = min(CUSTOMER_PAGES_DEEP, fewest // CUSTOMER_PAGE_SIZE - 1)
    if deep < 1:
        sys.exit(f"The busiest customers have only {fewest} deliveries archived")
    ids = [customer_id for customer_id, _ in chosen]
    codes = dict(Customer.objects.filter(id__in=ids).values_list("id", "code"))
    return [codes[customer_id] for customer_id in ids], deep


def smallest_area():
    """The code of the area with the fewest customers, but some."""
    from django.db.models import Count

    from customers.models import Area

    areas = Area.objects.annotate(customers=Count("customer")).filter(customers__gt=0)
    return areas.order_by("customers", "code").values_list("code", flat=True)[0]


def archive_cursors(rng, count, filters):
    """Cursors of the global history at random places in the archive."""
    from django.db.models import Max, Min

    from deliveries.history import encode_cursor
    from deliveries.models import DeliveryHistory

    bounds = DeliveryHistory.objects.aggregate(low=Min("id"), high=Max("id"))
    rows = []
    while len(rows) < count:
        wanted = rng.sample(range(bounds["low"], bounds["high"] + 1), count)
        rows += DeliveryHistory.objects.filter(id__in=wanted).values(
            "id", "delivery_date"
        )
    return [encode_cursor(row, filters) for row in rows[:count]]


def plan_pages(client, rng):
    """(name, URLs) of each page to measure."""
    from customers.models import Customer
    from deliveries.history import HistoryFilter, history_page
    from deliveries.models import Delivery

    def query(path, **values):
        return f"{path}?{urlencode(values)}"

    parts = name_parts(rng, VARIETY)
    for part in parts:
        # Each part comes from a customer's name: a search that finds nobody
        # means a data set the current code does not read as it should.
        response = get(client, f"/customers/?{urlencode({'q': part, 'partial': 1})}")
        if not response.context["page"].paginator.count:
            sys.exit(f"Searching {part!r} finds no customer")
    busy, pages_deep = busy_customers(rng, VARIETY)
    codes = list(Customer.objects.order_by("code").values_list("code", flat=True))
    anyone = rng.sample(codes, VARIETY)

    second = [walk(client, f"/customers/{code}/", 1) for code in busy]
    deep = [walk(client, f"/customers/{code}/", pages_deep) for code in busy]

    rare = smallest_area()
    everyone = HistoryFilter()
    # The cursor after every active delivery and 20 pages of the archive: the
    # same one the next-page links give on the way down, without the walk.
    boundary = Delivery.objects.count() + HISTORY_PAGES_DEEP * 100
    into_archive = history_page(everyone, "", boundary).next_cursor

    return [
        (
            "Customer search, name (partial)",
            [query("/customers/", q=part, partial=1) for part in parts],
        ),
        (
            f"Customer search, code prefix {CODE_PREFIX} (partial)",
            [query("/customers/", q=CODE_PREFIX, partial=1)],
        ),
        (
            "Customer search, name (full page)",
            [query("/customers/", q=part) for part in parts],
        ),
        (
            "Phone order search, name (partial)",
            [query("/orders/new/", q=part, partial=1) for part in parts],
        ),
        ("Customer page", [f"/customers/{code}/" for code in busy]),
        ("Customer page, history page 2", second),
        (f"Customer page, history page {pages_deep + 1}", deep),
        ("History, first page", ["/deliveries/"]),
        (
            f"History, page {HISTORY_PAGES_DEEP + 1}",
            [walk(client, "/deliveries/", HISTORY_PAGES_DEEP)],
        ),
        (
            f"History, {HISTORY_PAGES_DEEP} pages into the archive",
            [query("/deliveries/", cursor=into_archive)],
        ),
        (
            "History, random places in the archive",
            [
                query("/deliveries/", cursor=cursor)
                for cursor in archive_cursors(rng, VARIETY, everyone)
            ],
        ),
        (f"History, area {AREA}", [query("/deliveries/", area=AREA)]),
        (
            f"History, area {rare} (fewest customers)",
            [query("/deliveries/", area=rare)],
        ),
        (
            f"History, area {AREA}, page {HISTORY_PAGES_DEEP + 1}",
            [walk(client, "/deliveries/", HISTORY_PAGES_DEEP, [("area", AREA)])],
        ),
        (
            "History, one month",
            [query("/deliveries/", date_from=DATE_RANGE[0], date_to=DATE_RANGE[1])],
        ),
        ("Order list (tomorrow)", ["/orders/"]),
        (
            "Order intake form",
            [query("/orders/new/", customer=code) for code in anyone],
        ),
        *report_pages(query, busy),
    ]


def report_pages(query, busy):
    """The report pages: this month, and months and days back in the archive."""
    from luckygas.dates import to_roc, today
    from reports.consumption import add_months, month_start
    from reports.forms import to_roc_month

    this_month = month_start(today())
    months = [to_roc_month(add_months(this_month, -n)) for n in range(VARIETY)]
    days = [to_roc(today() - dt.timedelta(days=7 * n)) for n in range(VARIETY)]
    last_month = months[1]
    return [
        ("Monthly report (this month)", ["/reports/monthly/"]),
        (
            f"Monthly report, the last {VARIETY} months",
            [query("/reports/monthly/", month=month) for month in months],
        ),
        (
            f"Daily report, a day a week for {VARIETY} weeks",
            [query("/reports/daily/", day=day) for day in days],
        ),
        ("Customer consumption", ["/reports/consumption/"]),
        (
            "Monthly-account statement (last month)",
            [
                query("/reports/statement/", customer=code, month=last_month)
                for code in busy
            ],
        ),
        (
            "Monthly accounts of last month",
            [query("/reports/statement/", month=last_month)],
        ),
    ]


def percentile(samples, share):
    """Nearest rank: the smallest sample with `share` of them at or below it."""
    ordered = sorted(samples)
    return ordered[math.ceil(share * len(ordered)) - 1]


def readable(url):
    """The URL as the doc shows it: decoded, a cursor's token left out."""
    path, _, query = url.partition("?")
    if not query:
        return path
    pairs = [
        f"{name}={'…' if name == 'cursor' else value}"
        for name, value in parse_qsl(query)
    ]
    return f"{path}?{'&'.join(pairs)}"


def sample_rounds(pages, client):
    """{page: its timed requests (ms)}, the pages requested in rounds, each
    once a round: the machine's slower spells, which last seconds, then fall
    on every page alike rather than on all the requests of one."""
    samples = {name: [] for name, *_ in pages}
    print(f"  {len(pages)} pages, {WARMUP + REQUESTS} rounds ...", flush=True)
    for index in range(WARMUP + REQUESTS):
        for name, urls, *who in pages:
            started = time.perf_counter()
            get(who[0] if who else client, urls[index % len(urls)])
            if index >= WARMUP:
                samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def measure_page(client, name, urls, samples):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    load = os.getloadavg()[0]
    with CaptureQueriesContext(connection) as captured:
        get(client, urls[0])
    statements = [query["sql"] for query in captured.captured_queries]
    times = [query_ms(sql) for sql in statements]
    slowest = statements[times.index(max(times))]
    result = {
        "page": name,
        "example": readable(str(urls[0])),
        "urls": len(urls),
        "median_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 0.95),
        "queries": len(captured.captured_queries),
        "sql_ms": sum(times),
        "slowest_ms": max(times),
        "load": load,
        "slowest_sql": slowest,
    }
    if result["median_ms"] >= TARGET_MS:
        result["plan"] = explain(slowest)
    result["seq_scans"] = sequential_scans(statements)
    return result


def sequential_scans(statements):
    """The statements PostgreSQL would run by reading a deliveries table
    from end to end; none on SQLite, whose planner this does not check."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    found = []
    for sql in statements:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
        tables = {
            node.get("Relation Name")
            for node in plan_nodes(plan[0]["Plan"])
            if node["Node Type"] == "Seq Scan"
        }
        if tables & set(DELIVERY_TABLES):
            found.append(sql)
    return found


def plan_nodes(node):
    yield node
    for child in node.get("Plans", ()):
        yield from plan_nodes(child)


def query_ms(sql):
    """Milliseconds to run a captured query again and fetch all its rows.

    The query log times only `execute`, and SQLite reads most rows after it.
    """
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return 0.0
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        return (time.perf_counter() - started) * 1000


def explain(sql):
    """The query plan: run for real on PostgreSQL, SQLite's plan otherwise."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(f"{row[0]} {row[1]} {row[3]}" for row in cursor.fetchall())


if __name__ == "__main__":
    main()
