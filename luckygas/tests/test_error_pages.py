import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_expired_form_is_explained_in_chinese(office_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)

    response = client.post(reverse("routing:postpone"), {"customer": "1500001"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "表單已過期" in page and 'name="viewport"' in page
