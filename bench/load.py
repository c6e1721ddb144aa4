"""Load test: 15 users at once against gunicorn, on SQLite and PostgreSQL.

For each database: a scratch data set of the company's size made the way
`make run` makes its demo (`manage.py seed_demo`: workbooks in the old
system's layouts through the real importers, two weeks of runs recorded,
today's runs planned, deliveries over six months old archived), static
files collected, gunicorn started on
127.0.0.1 with gunicorn.conf.py and production settings (DEBUG off), then
Locust in headless mode runs bench/locustfile.py: 12 office users and 3
drivers for a bounded time and number of requests. The table of each kind of
request (median, 95th percentile, failures) is written into its own section
of docs/PERFORMANCE.md; the script exits non-zero when a target is missed.
"""

import argparse
import csv
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import (
    BASE_DIR,
    DATA_DIR,
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

VAR_DIR = DATA_DIR / "load"
PG_DATABASE = "luckygas_bench_load"
BIN = Path(sys.executable).parent

USERS = 15
SPAWN_RATE = 5
TARGET_P95_MS = 150
SAMPLE_CUSTOMERS = 300
# seed_demo's demo login, a manager, does the office's work.
OFFICE_USER = "demo"
PASSWORD = "luckygas-demo"
SECRET_KEY = secrets.token_urlsafe(50)

SUMMARY_HEAD = (
    "| Database | Requests | Requests/s | Median (ms) | p95 (ms) | Max (ms) "
    "| Failures | Targets met |\n|---|--:|--:|--:|--:|--:|--:|---|"
)

START_MARK = "<!-- bench:load:start -->"
END_MARK = "<!-- bench:load:end -->"


def run_time(text):
    """Locust's --run-time, checked before the data set is built."""
    if not re.fullmatch(r"(\d+[smh])+", text):
        raise argparse.ArgumentTypeError(f"not a time such as 90s or 3m: {text}")
    return text


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--deliveries",
        type=at_least(1_000),
        default=349_920,
        help="size of the history (default %(default)s)",
    )
    parser.add_argument(
        "--run-time",
        type=run_time,
        default="3m",
        help="how long the users work, e.g. 90s, 3m (default %(default)s)",
    )
    parser.add_argument(
        "--max-requests",
        type=at_least(1),
        default=20_000,
        help="stop after this many requests (default %(default)s)",
    )
    parser.add_argument(
        "--port",
        type=at_least(1024),
        default=8090,
        help="gunicorn's (default %(default)s)",
    )
    add_database_options(parser)
    return parse_with_databases(parser)


def var_dir(database):
    return VAR_DIR / database


def environment(database, production=False):
    """Development settings for building the data set, production ones
    (DEBUG off, plain HTTP on 127.0.0.1) for the static files and the server."""
    env = scratch_env(database, var_dir(database), PG_DATABASE)
    if production:
        env.update(
            DEBUG="0",
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            SECURE_COOKIES="false",
        )
    return env


def manage(database, *arguments, production=False):
    subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=environment(database, production),
        check=True,
    )


def prepare(database, deliveries):
    """A fresh data set and a sample of its customers for the simulated users."""
    directory = var_dir(database)
    directory.mkdir(parents=True, exist_ok=True)
    drop_scratch(database, directory / "luckygas.sqlite3", PG_DATABASE)
    if database == "postgresql":
        postgres("postgres", f'CREATE DATABASE "{PG_DATABASE}"')
    manage(database, "migrate", "--verbosity", "0")
    manage(database, "seed_demo", "--deliveries", str(deliveries), "--verbosity", "0")
    # As cron keeps production: the active table holds the last six months.
    manage(database, "archive_deliveries", "--verbosity", "0")
    manage(database, "collectstatic", "--noinput", "--verbosity", "0", production=True)
    # Customers to look up, and the day of the runs seed_demo planned.
    code = (
        "import json; from customers.models import Customer; "
        "from luckygas.dates import to_roc, today; print(json.dumps({'customers': ["
        "{'code': c.code, 'name': c.short_name} for c in Customer.objects"
        f".exclude(short_name='').order_by('?')[:{SAMPLE_CUSTOMERS}]], "
        "'runs_day': to_roc(today())}))"
    )
    sample = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=BASE_DIR,
        env=environment(database),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    samples = directory / "samples.json"
    samples.write_text(
        json.dumps(
            {
                "office_user": OFFICE_USER,
                "password": PASSWORD,
                **json.loads(sample),
            },
            ensure_ascii=False,
        )
    )
    return samples


def serve(database, port):
    """gunicorn with the production settings, answering before we return."""
    env = environment(database, production=True)
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    log = (var_dir(database) / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", "gunicorn.conf.py", "luckygas.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5)
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise SystemExit(f"gunicorn did not start; see {log.name}") from None
            time.sleep(0.5)


def run_locust(database, samples, args):
    prefix = var_dir(database) / "locust"
    env = dict(
        os.environ,
        LOAD_SAMPLES=str(samples),
        LOAD_MAX_REQUESTS=str(args.max_requests),
    )
    started = time.monotonic()
    subprocess.run(
        [
            BIN / "locust",
            "--locustfile",
            "bench/locustfile.py",
            "--headless",
            "--users",
            str(USERS),
            "--spawn-rate",
            str(SPAWN_RATE),
            "--run-time",
            args.run_time,
            "--host",
            f"http://127.0.0.1:{args.port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "10",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    seconds = time.monotonic() - started
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    return seconds, rows


def bench_database(database, args):
    print(f"{database}: building the data set ...", flush=True)
    samples = prepare(database, args.deliveries)
    server = serve(database, args.port)
    try:
        print(f"{database}: {USERS} users for {args.run_time} ...", flush=True)
        seconds, rows = run_locust(database, samples, args)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if database == "postgresql":
            drop_scratch(database, None, PG_DATABASE)
    requests = [row for row in rows if row["Name"] != "Aggregated"]
    (total,) = [row for row in rows if row["Name"] == "Aggregated"]
    return {"seconds": seconds, "requests": requests, "total": total}


def figures(row):
    return {
        "count": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "median": float(row["50%"]),
        "p95": float(row["95%"]),
        "max": float(row["Max Response Time"]),
        "rps": float(row["Requests/s"]),
    }


def met(result):
    total = figures(result["total"])
    return total["failures"] == 0 and total["p95"] < TARGET_P95_MS


def summary_line(database, result):
    total = figures(result["total"])
    verdict = "yes" if met(result) else "**no**"
    return (
        f"| {database} | {total['count']:,} | {total['rps']:.1f} | "
        f"{total['median']:.0f} | {total['p95']:.0f} | {total['max']:.0f} | "
        f"{total['failures']} | {verdict} |"
    )


def detail_lines(results):
    lines = [
        "| Request | Database | Count | Median (ms) | p95 (ms) | Max (ms) | Failures |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    names = sorted({row["Name"] for r in results.values() for row in r["requests"]})
    for name in names:
        for database, result in results.items():
            for row in result["requests"]:
                if row["Name"] == name:
                    f = figures(row)
                    lines.append(
                        f"| {row['Type']} {name} | {database} | {f['count']:,} | "
                        f"{f['median']:.0f} | {f['p95']:.0f} | {f['max']:.0f} | "
                        f"{f['failures']} |"
                    )
    return "\n".join(lines)


def section(results, args, version):
    summaries = "\n".join(summary_line(db, result) for db, result in results.items())
    machine_lines = "\n".join(machine(list(results)))
    return f"""{START_MARK}
## Load test: {USERS} users at once

`bench/load.py` (`make load`) builds a data set per database the way
`make run` does (`manage.py seed_demo --deliveries {args.deliveries}`: the
old system's workbooks through the real importers, two weeks of runs recorded
in the app, today's runs planned, then `archive_deliveries` as cron runs
it), starts gunicorn on 127.0.0.1 with
`gunicorn.conf.py` and production settings (`DEBUG` off, WhiteNoise serving
the collected static files), and runs Locust headless with
`bench/locustfile.py`: {USERS - 3} office users and 3 drivers, spawned
{SPAWN_RATE} a second, for {args.run_time} or {args.max_requests:,}
requests, whichever comes first. An office user waits 1 to 3 s between
actions (busier than any person at a desk): searching as they type, customer
pages and their older deliveries, phone orders (search, form, save), the
order list, the due list, the delivery history, today's runs with a run's
page and dispatch sheet, a report now and then. A driver waits 2 to 6 s:
today's runs, the run, a stop's form, the stop recorded. Redirects are
requested on their own, as a browser does. Locust, gunicorn and the database
share the machine's cores.

Targets: no failed request, and the 95th percentile of all requests under
{TARGET_P95_MS} ms. Locust keeps the times its percentiles come from rounded
(to 10 ms from 100 ms, to 100 ms from 1 s), so a p95 may show above the
exact Max of a kind of request with few of them.

{SUMMARY_HEAD}
{summaries}

Per kind of request:

{detail_lines(results)}

Measured on:

{machine_lines}
- Code: {version}
{END_MARK}
"""


def main():
    args = parse_args()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    version = code_version()
    results = {database: bench_database(database, args) for database in args.databases}
    print()
    for database, result in results.items():
        print(summary_line(database, result))
    print_machine(args.databases, version)
    if not args.no_write:
        write_section(section(results, args, version), START_MARK, END_MARK)
        print(f"\nWrote {DOC_PATH.relative_to(BASE_DIR)}")
    if not all(met(result) for result in results.values()):
        raise SystemExit(
            f"Target missed: failures, or p95 at or over {TARGET_P95_MS} ms"
        )


if __name__ == "__main__":
    main()
