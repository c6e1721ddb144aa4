"""Fixtures every app's tests share: the cast of users and workbook builders."""

from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from customers.importing import CLIENT_LIST_HEADERS, UNNAMED_COLUMN
from deliveries.importing import HISTORY_COLUMNS

SAMPLE_DIR = Path(settings.BASE_DIR).parent / "shared" / "data"


@pytest.fixture(autouse=True)
def rejects_in_tmp(settings, tmp_path):
    """Keep the rejects files the imports write out of the working tree."""
    settings.REJECTS_DIR = tmp_path / "rejects"


@pytest.fixture
def manager(django_user_model):
    return django_user_model.objects.create_user(
        "manager", password="pw", is_staff=True, is_superuser=True
    )


@pytest.fixture
def office_user(django_user_model):
    return django_user_model.objects.create_user("office", password="pw")


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def sample_dir():
    if not SAMPLE_DIR.is_dir():
        pytest.skip(f"the company's sample workbooks are not at {SAMPLE_DIR}")
    return SAMPLE_DIR


@pytest.fixture
def client_workbook(tmp_path):
    """Write a client list (客戶資料) whose rows are {header: value} dicts."""

    def write(rows, name="client_list.xlsx", headers=CLIENT_LIST_HEADERS):
        book = Workbook()
        sheet = book.active
        sheet.title = "客戶資料"
        sheet.append([None if h == UNNAMED_COLUMN else h for h in headers])
        for row in rows:
            sheet.append([row.get(header) for header in headers])
        path = tmp_path / name
        book.save(path)
        return path

    return write


@pytest.fixture
def history_workbook(tmp_path):
    """Write a delivery-history export from rows of its five columns."""

    def write(rows, name="history.xlsx", headers=HISTORY_COLUMNS):
        book = Workbook()
        sheet = book.active
        sheet.title = "Sheet1"
        sheet.append(headers)
        for row in rows:
            sheet.append(list(row))
        path = tmp_path / name
        book.save(path)
        return path

    return write
