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


def test_a_request_for_another_host_is_logged_in_one_line(client, settings, caplog):
    settings.ALLOWED_HOSTS = ["testserver"]

    response = client.get("/", HTTP_HOST="luckygas.example")

    assert response.status_code == 400
    assert "無法處理的要求" in response.content.decode()
    [record] = [r for r in caplog.records if r.name.startswith("django.security")]
    assert "luckygas.example" in record.getMessage()
    assert record.exc_info is None


def test_a_logged_in_page_is_not_kept_by_the_browser(driver_client):
    response = driver_client.get(reverse("routing:driver"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_typed_address_of_a_button_is_explained_not_blank(driver_client):
    response = driver_client.get(reverse("logout"))

    assert response.status_code == 405 and response["Allow"] == "POST, OPTIONS"
    assert "請用頁面上的按鈕" in response.content.decode()
