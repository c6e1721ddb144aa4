"""Fixtures every app's tests share: the cast of users and workbook builders."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from openpyxl import Workbook

from customers.importing import CLIENT_LIST_HEADERS, UNNAMED_COLUMN
from deliveries.importing import HISTORY_COLUMNS
from luckygas import roles
from routing.models import Driver

SAMPLE_DIR = Path(settings.BASE_DIR).parent / "shared" / "data"


@pytest.fixture(autouse=True)
def rejects_in_tmp(settings, tmp_path):
    """Keep the rejects files the imports write out of the working tree."""
    settings.REJECTS_DIR = tmp_path / "rejects"


def user_in(django_user_model, username, group, **fields):
    user = django_user_model.objects.create_user(username, password="pw", **fields)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def manager(django_user_model):
    return user_in(django_user_model, "manager", roles.MANAGER, is_staff=True)


@pytest.fixture
def office_user(django_user_model):
    return user_in(django_user_model, "office", roles.OFFICE)


@pytest.fixture
def driver_user(django_user_model):
    user = user_in(django_user_model, "driver", roles.DRIVER)
    Driver.objects.create(code="D01", name="阿明", user=user)
    return user


@pytest.fixture
def other_driver_user(django_user_model):
    user = user_in(django_user_model, "driver2", roles.DRIVER)
    Driver.objects.create(code="D02", name="阿華", user=user)
    return user


@pytest.fixture
def office_client(client, office_user):
    client.force_login(office_user)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def driver_client(client, driver_user):
    client.force_login(driver_user)
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
