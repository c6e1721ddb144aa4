"""Logging in: repeated failures lock the name out for a while, from that
address, and a manager can lift it."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from luckygas.testing.login import logged_in

pytestmark = pytest.mark.django_db

PASSWORD = "pw"  # conftest's users


def failing(client, username, times):
    for _ in range(times):
        assert not logged_in(client, username, "wrong")


def test_five_wrong_passwords_lock_the_name_out_in_chinese(office_user):
    client = Client()
    failing(client, "office", 5)

    response = client.post(
        reverse("login"), {"username": "office", "password": PASSWORD}
    )

    assert response.status_code == 429
    page = response.content.decode()
    assert "暫時無法登入" in page and "15 分鐘" in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_of_that_name_from_that_address(office_user, manager):
    failing(Client(REMOTE_ADDR="10.0.0.9"), "office", 5)

    assert logged_in(Client(REMOTE_ADDR="10.0.0.9"), "manager", PASSWORD)
    assert logged_in(Client(REMOTE_ADDR="10.0.0.7"), "office", PASSWORD)
    assert not logged_in(Client(REMOTE_ADDR="10.0.0.9"), "office", PASSWORD)


def test_a_success_starts_the_count_again(office_user):
    client = Client()
    failing(client, "office", 4)
    assert logged_in(client, "office", PASSWORD)
    client.logout()
    failing(client, "office", 4)

    assert logged_in(client, "office", PASSWORD)


def test_a_manager_lifts_a_lockout_in_the_admin(office_user, manager_client):
    failing(Client(), "office", 5)
    attempt = AccessAttempt.objects.get(username="office")

    listed = manager_client.get(reverse("admin:axes_accessattempt_changelist"))
    manager_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]),
        {"post": "yes"},
    )

    assert listed.status_code == 200 and "登入失敗紀錄" in listed.content.decode()
    assert not AccessAttempt.objects.exists()
    assert logged_in(Client(), "office", PASSWORD)
