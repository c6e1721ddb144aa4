import pytest
from django.urls import reverse

from customers.models import Area, Customer

pytestmark = pytest.mark.django_db


def form_data(**changes):
    data = {
        "code": "1984845",
        "short_name": "春風早餐",
        "invoice_title": "春風早餐店",
        "address": "臺東市四維路1號",
        "phone": "089-123456",
        "area": Area.objects.get(code="B").pk,
        "vehicle": "1",
        "kind": "",
        "pricing": "cylinder",
        "settlement": "monthly",
        "subscription_member": "unknown",
        "needs_billing_file": "unknown",
        "open_hours": ["8", "9", "14"],
        "time_slot": "1",
        "closed_days_text": "6.7",
        "same_day_delivery": "unknown",
        "has_alarm": "true",
        "terminated": "false",
    }
    data.update(changes)
    return data


def test_office_staff_create_a_customer(office_client):
    response = office_client.post(reverse("customers:create"), form_data())

    customer = Customer.objects.get(code="1984845")
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    assert customer.origin == Customer.Origin.OFFICE
    assert customer.open_hours == [8, 9, 14]
    assert customer.closed_weekdays == "67"
    assert customer.area_text == "B-四維"
    assert customer.has_alarm is True and customer.subscription_member is None


@pytest.mark.parametrize("code", ["198484", "19848450", "19848a5", ""])
def test_a_code_that_is_not_seven_digits_is_refused_in_chinese(office_client, code):
    response = office_client.post(reverse("customers:create"), form_data(code=code))

    assert response.status_code == 200
    assert not Customer.objects.exists()
    assert (
        "客戶代碼必須是 7 位數字" in response.text
        or "這個欄位是必須的" in response.text
    )


def test_a_code_already_taken_is_refused_with_the_owner_named(office_client):
    Customer.objects.create(code="1984845", short_name="海風麵館")

    response = office_client.post(reverse("customers:create"), form_data())

    assert "客戶代碼 1984845 已被「海風麵館」使用" in response.text
    assert Customer.objects.count() == 1


def test_editing_rereads_the_closed_days_and_keeps_the_rest(office_client):
    customer = Customer.objects.create(
        code="1984845", monthly_kg=60.0, raw_row={"客戶": 1984845}
    )
    url = reverse("customers:edit", args=[customer.code])

    response = office_client.post(url, form_data(closed_days_text="7(初一十五)"))

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.closed_weekdays, customer.closed_lunar_days) == ("7", "1,15")
    assert customer.monthly_kg == 60.0 and customer.raw_row == {"客戶": 1984845}


def test_closed_days_it_cannot_read_are_saved_with_a_warning(office_client):
    response = office_client.post(
        reverse("customers:create"), form_data(closed_days_text="6.7(14)"), follow=True
    )
    assert "公休日中「(14)」無法自動判讀，請確認" in response.text
    assert Customer.objects.get().closed_days_unparsed == "(14)"


def test_the_edit_form_opens_with_the_current_values(office_client):
    customer = Customer.objects.create(code="1984845", short_name="春風早餐")
    response = office_client.get(reverse("customers:edit", args=[customer.code]))
    assert response.status_code == 200
    assert 'value="春風早餐"' in response.text


@pytest.mark.parametrize("name", ["customers:create", "customers:edit"])
def test_the_forms_refuse_outsiders(client, driver_client, name):
    Customer.objects.create(code="1984845")
    args = [] if name == "customers:create" else ["1984845"]
    url = reverse(name, args=args)
    assert driver_client.get(url).status_code == 403
    driver_client.logout()
    assert client.get(url).status_code == 302
