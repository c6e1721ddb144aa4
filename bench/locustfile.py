"""The office's day for Locust: bench/load.py runs it against gunicorn.

Office users search, open customers and their history, take phone orders,
read the order and due lists, a run's dispatch sheet and now and then a
report; three drivers open their runs of today and record stops. Requests
that redirect are sent without following, and the page the browser would
load next is requested on its own, as the browser does.
"""

import json
import os
import random
import re
from itertools import count
from pathlib import Path
from urllib.parse import quote

import gevent
import lxml.html
from locust import HttpUser, between, events, task

SAMPLES = json.loads(Path(os.environ["LOAD_SAMPLES"]).read_text())
PASSWORD = SAMPLES["password"]
# Stop the whole test after this many requests, whatever the time left.
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "20000"))
STOP_LINK = re.compile(r'href="(/routing/driver/stops/\d+/)"[^>]*>記錄<')
RUN_LINK = re.compile(r'href="(/routing/driver/runs/\d+/)"')
OFFICE_RUN_LINK = re.compile(r'href="(/routing/runs/\d+/)"')
NEXT_PAGE = re.compile(r'href="(\?[^"]*cursor=[^"]+)"')

_drivers = count(1)
_stopping = []


@events.request.add_listener
def stop_at_the_cap(**_):
    environment = HttpUser.environment
    if not _stopping and environment.stats.total.num_requests >= MAX_REQUESTS:
        _stopping.append(gevent.spawn(environment.runner.quit))


@events.init.add_listener
def keep_environment(environment, **_):
    HttpUser.environment = environment


def post_form(page, marker):
    """The values of the page's POST form that holds the field `marker`."""
    for form in lxml.html.fromstring(page.text).forms:
        if form.method.upper() == "POST" and marker in form.fields:
            return dict(form.form_values())
    raise ValueError(f"no form with {marker} on {page.url}")


class Visitor(HttpUser):
    abstract = True

    def log_in(self, username):
        page = self.client.get("/login/", name="login page")
        values = post_form(page, "username")
        values.update(username=username, password=PASSWORD)
        with self.client.post(
            "/login/",
            data=values,
            name="log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{username} was not logged in")

    def send(self, url, values, name):
        """POST a form as the browser does: the redirect's page comes next."""
        with self.client.post(
            url, data=values, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"form refused ({response.status_code})")
                return
        self.client.get(response.headers["Location"], name=f"{name}: next page")


class OfficeUser(Visitor):
    """Office staff on the phone and at the dispatch desk."""

    weight = 4
    # A person reads the page before the next click.
    wait_time = between(1, 3)

    def on_start(self):
        self.log_in(SAMPLES["office_user"])

    def customer(self):
        return random.choice(SAMPLES["customers"])

    @task(10)
    def search_as_you_type(self):
        name = self.customer()["name"]
        for length in (1, 2):
            self.client.get(
                f"/customers/?q={quote(name[:length])}&partial=1",
                name="customer search (as you type)",
            )

    @task(6)
    def customer_page(self):
        code = self.customer()["code"]
        page = self.client.get(f"/customers/{code}/", name="customer page")
        older = NEXT_PAGE.search(page.text)
        if older and random.random() < 0.3:
            self.client.get(
                f"/customers/{code}/{older.group(1).replace('&amp;', '&')}",
                name="customer page, older deliveries",
            )

    @task(4)
    def phone_order(self):
        customer = self.customer()
        self.client.get(
            f"/orders/new/?q={quote(customer['name'][:2])}&partial=1",
            name="order intake search",
        )
        url = f"/orders/new/?customer={customer['code']}"
        page = self.client.get(url, name="order intake form")
        values = post_form(page, "token")
        values["quantity_std20"] = str(random.randint(1, 3))
        self.send(url, values, "phone order save")

    @task(2)
    def order_list(self):
        self.client.get("/orders/", name="order list")

    @task(2)
    def due_list(self):
        self.client.get("/routing/due/", name="due list")

    @task(2)
    def delivery_history(self):
        self.client.get("/deliveries/", name="delivery history")

    @task(1)
    def dispatch_sheet(self):
        runs = self.client.get(
            f"/routing/runs/?day={SAMPLES['runs_day']}", name="runs of the day"
        )
        links = OFFICE_RUN_LINK.findall(runs.text)
        if links:
            run = random.choice(links)
            self.client.get(run, name="run page")
            self.client.get(f"{run}sheet/", name="dispatch sheet")

    @task(1)
    def report(self):
        path = random.choice(("/reports/monthly/", "/reports/daily/"))
        self.client.get(path, name="report (daily or monthly)")


class DriverUser(Visitor):
    """A driver on the phone: their run, then a stop recorded now and then."""

    fixed_count = 3
    wait_time = between(2, 6)

    def on_start(self):
        self.log_in(f"driver{next(_drivers)}")

    @task
    def next_stop(self):
        today = self.client.get("/routing/driver/", name="driver: today's runs")
        runs = RUN_LINK.findall(today.text)
        if not runs:
            return
        route = self.client.get(runs[0], name="driver: run page")
        stops = STOP_LINK.findall(route.text)
        if not stops:
            return
        page = self.client.get(stops[0], name="driver: stop form")
        values = post_form(page, "outcome")
        if not any(
            values.get(name) for name in values if name.startswith("delivered_")
        ):
            values["delivered_std20"] = "1"
        self.send(stops[0], values, "driver: stop recorded")
