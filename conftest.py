"""Fixtures every app's tests share: the cast of users and workbook builders."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache

from customers.importing import CLIENT_LIST_HEADERS, UNNAMED_COLUMN
from deliveries.importing import HISTORY_COLUMNS
from luckygas import roles
from luckygas.exporting import write_workbook
from routing.models import Driver

pytest_plugins = ["luckygas.testing.browser"]

SAMPLE_DIR = Path(settings.BASE_DIR).parent / "shared" / "data"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: ids come again after a rollback."""
    cache.clear()


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


def driver_login(django_user_model, username, code, name):
    user = user_in(django_user_model, username, roles.DRIVER)
    Driver.objects.create(code=code, name=name, user=user)
    return user


@pytest.fixture
def driver_user(django_user_model):
    return driver_login(django_user_model, "driver", "D01", "阿明")


@pytest.fixture
def other_driver_user(django_user_model):
    return driver_login(django_user_model, "driver2", "D02", "阿華")


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
        path = tmp_path / name
        write_workbook(
            path,
            "客戶資料",
            [None if header == UNNAMED_COLUMN else header for header in headers],
            ([row.get(header) for header in headers] for row in rows),
        )
        return path

    return write


@pytest.fixture
def history_workbook(tmp_path):
    """Write a delivery-history export from rows of its five columns."""

    def write(rows, name="history.xlsx", headers=HISTORY_COLUMNS):
        path = tmp_path / name
        write_workbook(path, "Sheet1", headers, (list(row) for row in rows))
        return path

    return write
