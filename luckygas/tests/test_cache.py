"""What is cached is read from the cache, and no one sees it stale after a
change: in each process's memory, and in a real Redis server."""

import datetime as dt
import os
import uuid

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from customers import schedule
from deliveries.models import Delivery
from luckygas.dates import today
from reports import figures
from reports.refreshing import refresh
from reports.tests.conftest import make_customer

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def redis_reachable():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"], autouse=True)
def backend(request, settings):
    if request.param == "redis":
        if not redis_reachable():
            if os.environ.get("REQUIRE_REDIS"):
                pytest.fail(f"Redis is required and not reachable at {REDIS_URL}")
            pytest.skip(f"no Redis server at {REDIS_URL}")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            }
        }
    cache.clear()
    yield request.param
    cache.clear()


def counting(monkeypatch, module, name):
    """Count the calls of module.name, which does the work the cache saves."""
    calls = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_customer_page_shows_a_closed_day_right_after_the_edit(
    office_client, monkeypatch
):
    customer = make_customer("1900001", "A", "cash")
    computed = counting(monkeypatch, schedule, "week_ahead")
    url = customer.get_absolute_url()

    first = office_client.get(url).content.decode()
    office_client.get(url)
    assert len(computed) == 1  # the second view came from the cache
    weekday = today().isoweekday()
    assert "badge text-bg-danger" not in first

    customer.set_closed_days(str(weekday))
    customer.save()
    after = office_client.get(url).content.decode()

    assert len(computed) == 2
    assert "badge text-bg-danger" in after  # today, in the week ahead


def test_the_monthly_report_shows_new_figures_right_after_a_refresh(
    office_client, monkeypatch
):
    customer = make_customer("1900001", "A", "cash")
    Delivery.objects.create(customer=customer, delivery_date=today())
    refresh("test")
    computed = counting(monkeypatch, figures, "monthly")
    url = reverse("reports:monthly")

    office_client.get(url)
    before = office_client.get(url).content.decode()
    assert len(computed) == 1 and 'data-figure="deliveries">1<' in before

    Delivery.objects.create(
        customer=customer, delivery_date=today() - dt.timedelta(days=0)
    )
    refresh("test")
    after = office_client.get(url).content.decode()

    assert len(computed) == 2 and 'data-figure="deliveries">2<' in after
