import datetime as dt
import json

import pytest
from django.db import connection
from django.utils import timezone

from customers.models import Customer
from deliveries.models import Delivery
from luckygas.importing import insert_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_deliveries():
    """40,000 deliveries over 100 customers, so the planner has a real choice."""
    customers = Customer.objects.bulk_create(
        Customer(code=f"{1_500_000 + number}") for number in range(100)
    )
    start, now = dt.date(2021, 1, 1), timezone.now()
    rows = [
        (
            customers[n % 100].id,
            start + dt.timedelta(days=n // 40),
            "delivered",
            "import",
            "",
            now,
        )
        for n in range(40_000)
    ]
    with connection.cursor() as cursor:
        insert_rows(
            cursor,
            Delivery._meta.db_table,
            ("customer_id", "delivery_date", "outcome", "source", "note", "created_at"),
            rows,
        )
        cursor.execute(f"ANALYZE {Delivery._meta.db_table}")
    return customers[42]


def latest_100(customer):
    return Delivery.objects.filter(customer=customer).order_by("-delivery_date", "-id")[
        :100
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
def test_a_customers_latest_deliveries_are_read_through_the_index_on_postgresql(
    many_deliveries,
):
    plan = json.loads(latest_100(many_deliveries).explain(format="json"))
    text = json.dumps(plan)
    assert "idx_delivery_customer_date" in text
    assert "Seq Scan" not in text
    assert '"Sort"' not in text


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN of SQLite")
def test_a_customers_latest_deliveries_are_read_through_the_index_on_sqlite(
    many_deliveries,
):
    plan = latest_100(many_deliveries).explain()
    assert "idx_delivery_customer_date" in plan
    assert "TEMP B-TREE" not in plan


def test_the_architectures_indexes_exist_by_name():
    with connection.cursor() as cursor:
        names = {
            name
            for table in connection.introspection.table_names(cursor)
            for name in connection.introspection.get_constraints(cursor, table)
        }
    assert {
        "idx_delivery_customer_date",
        "idx_delivery_date",
        "idx_history_customer_date",
        "idx_order_customer_status",
        "idx_order_date_status",
        "idx_route_driver_date",
        "idx_customer_code",
        "idx_customer_area",
        "idx_driver_active",
    } <= names
