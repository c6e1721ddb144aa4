"""Every URL the project serves, against every role: who gets in, who is sent
to log in, who is refused. A URL without a rule here fails the test."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from customers.models import Customer
from luckygas.dates import today
from routing import runs
from routing.models import Postponement, Route, Vehicle
from routing.tests.conftest import due_customer, phone_order

pytestmark = pytest.mark.django_db

PUBLIC, OFFICE, DRIVER, MANAGER = "public", "office", "driver", "manager"
# The driver's own page, and the admin's pages of logins and groups, which
# are the superuser's (a manager could otherwise make himself one), or
# nobody's: failed logins are recorded, never added by hand, and forecasts
# are made by refresh_forecasts, never added or deleted by hand.
DRIVER_HOME, SUPERUSER, NOBODY = "driver home", "superuser", "nobody"

# Who may reach each page. Office pages are the managers' too; the admin is
# the managers' alone; the driver's pages are a driver's, for their own runs.
RULES = {
    "home": "logged in",
    "login": PUBLIC,
    "logout": PUBLIC,
    "customers:list": OFFICE,
    "customers:export": OFFICE,
    "customers:create": OFFICE,
    "customers:detail": OFFICE,
    "customers:edit": OFFICE,
    "deliveries:history": OFFICE,
    "deliveries:history-export": OFFICE,
    "deliveries:upload-list": OFFICE,
    "deliveries:order-list": OFFICE,
    "deliveries:order-create": OFFICE,
    "deliveries:order-edit": OFFICE,
    "deliveries:order-cancel": OFFICE,
    "routing:due": OFFICE,
    "routing:call-ahead": OFFICE,
    "routing:postpone": OFFICE,
    "routing:postponement-cancel": OFFICE,
    "routing:runs": OFFICE,
    "routing:route": OFFICE,
    "routing:route-fill": OFFICE,
    "routing:route-add": OFFICE,
    "routing:sheet": OFFICE,
    "routing:stop-move": OFFICE,
    "routing:stop-transfer": OFFICE,
    "routing:stop-remove": OFFICE,
    "routing:driver": DRIVER_HOME,
    "routing:driver-route": DRIVER,
    "routing:driver-stop": DRIVER,
    "routing:driver-start": DRIVER,
    "routing:driver-finish": DRIVER,
    "reports:index": OFFICE,
    "reports:daily": OFFICE,
    "reports:monthly": OFFICE,
    "reports:consumption": OFFICE,
    "reports:statement": OFFICE,
}
ADMIN_PUBLIC = {"admin:login", "admin:logout"}
FORECAST_EDITS = {
    "admin:routing_customerforecast_add",
    "admin:routing_customerforecast_delete",
}
# Refused to everyone without the model and field it completes; and the
# admin's catch-all, which has no name and sends everyone to log in.
UNCHECKED = {"admin:autocomplete", "admin:None"}


def served(patterns=None, prefix="", namespace=""):
    """(name, pattern) of every URL the project serves."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from served(
                pattern.url_patterns, prefix + str(pattern.pattern), inner
            )
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern)


def rule(name):
    if name in ADMIN_PUBLIC:
        return PUBLIC
    if name and name.startswith("admin:auth_"):
        return SUPERUSER
    if name and name.startswith("admin:axes_") and name.endswith("_add"):
        return NOBODY
    if name in FORECAST_EDITS:
        return NOBODY
    if name and name.startswith("admin:"):
        return MANAGER
    return RULES.get(name)


@pytest.fixture
def world(driver_user, other_driver_user):
    """One of each thing a URL can name: the driver's own run with its stop,
    a customer, an open order, a postponement."""
    day = today()
    customer = due_customer("1500001", last=day - dt.timedelta(days=7))
    order = phone_order(customer, day=day, std20=1)
    route = Route.objects.create(
        route_date=day,
        route_code="南早",
        start_time=dt.time(8),
        vehicle=Vehicle.objects.create(plate="ABC-1234", kind=Vehicle.Kind.CAR),
        driver=driver_user.driver,
    )
    runs.fill_route(route, "south")
    postponement = Postponement.objects.create(
        customer=customer,
        from_date=day,
        to_date=day + dt.timedelta(days=2),
        reason="測試",
    )
    return {
        "code": customer.code,
        "order_id": order.pk,
        "route_id": route.pk,
        "stop_id": route.stops.get().pk,
        "postponement_id": postponement.pk,
        # The admin's: an object, an app, a content type.
        "object_id": customer.pk,
        "id": customer.pk,
        "app_label": "customers",
        "content_type_id": ContentType.objects.get_for_model(Customer).pk,
        "url": "nothing-here",
    }


def admin_object(name):
    """An object of the model an admin URL is about, if it has one: the
    admin looks it up before it asks for the permission."""
    match = re.match(
        r"admin:(\w+?)_(\w+)_(change|delete|history|password_change)$", name
    )
    if not match:
        return None
    try:
        model = apps.get_model(match[1], match[2])
    except LookupError:
        return None
    return model.objects.values_list("pk", flat=True).first()


def history_record_url(name):
    """One version of an object, as django-simple-history's admin shows it."""
    app_label, model_name = re.match(
        r"admin:(\w+?)_(\w+)_simple_history$", name
    ).groups()
    instance = apps.get_model(app_label, model_name).objects.first()
    record = instance.history.first()
    return reverse(name, args=[instance.pk, record.history_id])


def url_of(name, pattern, world):
    """The URL with each of its parts filled from the world."""
    if name.endswith("_simple_history"):
        return history_record_url(name)
    parts = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)
    kwargs = {first or second: world[first or second] for first, second in parts}
    if (pk := admin_object(name)) is not None:
        kwargs = {
            key: pk if key in ("object_id", "id") else value
            for key, value in kwargs.items()
        }
    return reverse(name, kwargs=kwargs)


def client_of(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def outcome(response, rule_name):
    """in, login (sent to a login page), refused (403) or hidden (404: another
    driver's run). Elsewhere a 404 is the view itself, reached, missing a
    parameter."""
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "login/" in location:
        return "login"
    if response.status_code == 403:
        return "refused"
    if response.status_code == 404 and rule_name == DRIVER:
        return "hidden"
    return "in"


def expected(who, rule_name):
    if rule_name == PUBLIC:
        return "in"
    if who == "anonymous":
        return "login"
    if rule_name == "logged in":
        return "in"
    if rule_name in (MANAGER, SUPERUSER, NOBODY):
        if who != MANAGER:
            return "login"  # the admin's own login page
        return "in" if rule_name == MANAGER else "refused"
    if rule_name == DRIVER:
        return {DRIVER: "in", "other driver": "hidden"}.get(who, "refused")
    if rule_name == DRIVER_HOME:
        return "in" if who in (DRIVER, "other driver") else "refused"
    return "in" if who in (OFFICE, MANAGER) else "refused"


# Posted, they would end the session the next checks need.
GET_ONLY = {"logout", "admin:logout"}


def request(client, name, url):
    """GET, and POST where GET is not allowed, undone afterwards: a refusal
    must come before the method is looked at, or after it on either."""
    response = client.get(url)
    if response.status_code != 405 or name in GET_ONLY:
        return response
    with transaction.atomic():
        response = client.post(url)
        transaction.set_rollback(True)
    return response


def test_every_url_has_a_rule():
    unruled = [name or pattern for name, pattern in served() if rule(name) is None]
    assert not unruled, f"URLs without an access rule: {unruled}"


def test_each_role_reaches_only_its_own_pages(
    world, manager, office_user, driver_user, other_driver_user
):
    users = {
        "anonymous": None,
        DRIVER: driver_user,
        "other driver": other_driver_user,
        OFFICE: office_user,
        MANAGER: manager,
    }
    clients = {who: client_of(user) for who, user in users.items()}
    wrong = []
    checked = 0
    for name, pattern in served():
        if name in UNCHECKED:
            continue
        url = url_of(name, pattern, world)
        rule_name = rule(name)
        for who, client in clients.items():
            if rule_name != DRIVER and who == "other driver":
                continue  # a driver like the first
            got = outcome(request(client, name, url), rule_name)
            checked += 1
            if got != expected(who, rule_name):
                wrong.append(
                    f"{who} {url} ({name}): {got}, not {expected(who, rule_name)}"
                )
    assert not wrong, "\n".join(wrong)
    assert checked > 400  # the admin's pages are among them
