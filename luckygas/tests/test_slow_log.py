"""A slow query or a slow page leaves a line in the log."""

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def slow_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "luckygas.slow"]


def test_a_query_over_the_threshold_is_logged_with_its_page_and_sql(
    office_client, settings, caplog
):
    settings.SLOW_QUERY_MS = 0  # every query is slow enough
    with caplog.at_level(logging.WARNING, logger="luckygas.slow"):
        office_client.get(reverse("customers:list"), {"q": "王"})

    queries = [line for line in slow_lines(caplog) if line.startswith("慢查詢")]
    assert queries and all("GET /customers/" in line for line in queries)
    assert any('FROM "customers_customer"' in line for line in queries)
    assert all(len(line) < 400 for line in queries)  # the SQL is shortened


def test_a_request_over_the_threshold_is_logged_with_its_query_count(
    office_client, settings, caplog
):
    settings.SLOW_REQUEST_MS = 0
    with caplog.at_level(logging.WARNING, logger="luckygas.slow"):
        office_client.get(reverse("customers:list"))

    (line,) = [line for line in slow_lines(caplog) if line.startswith("慢頁面")]
    assert "GET /customers/" in line and "個查詢，狀態 200" in line


def test_a_quick_page_leaves_no_trace(office_client, caplog):
    with caplog.at_level(logging.WARNING, logger="luckygas.slow"):
        office_client.get(reverse("customers:list"))
    assert slow_lines(caplog) == []
