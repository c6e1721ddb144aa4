"""A Redis server that cannot be reached costs the pages their cache, not
their answer."""

import pytest
from django.urls import reverse

from deliveries.models import Delivery
from luckygas.dates import today
from reports.refreshing import refresh
from reports.tests.conftest import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    """A Redis server that is not there: nothing listens on port 1."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_pages_work_without_the_cache_when_redis_is_down(
    redis_down, office_client, caplog
):
    customer = make_customer("1900001", "A", "cash")
    Delivery.objects.create(customer=customer, delivery_date=today())
    refresh("test")

    page = office_client.get(customer.get_absolute_url())
    report = office_client.get(reverse("reports:monthly"))

    assert page.status_code == 200 and "1900001" in page.content.decode()
    assert report.status_code == 200
    assert 'data-figure="deliveries">1<' in report.content.decode()
    warnings = [r for r in caplog.records if r.name == "luckygas.cache"]
    assert warnings and "快取無法使用" in warnings[0].getMessage()
