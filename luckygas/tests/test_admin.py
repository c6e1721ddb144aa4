import datetime as dt
import io

import openpyxl
import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from customers.models import Customer
from deliveries.models import Delivery
from luckygas.dates import to_roc, today

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"customers", "deliveries", "routing"}


def project_models():
    """The project's models; their histories are shown by each model's admin."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and not model.__name__.startswith("Historical")
    ]


def test_every_model_of_the_project_has_an_admin_or_an_inline():
    inlined = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    missing = [
        model.__name__
        for model in project_models()
        if not admin.site.is_registered(model) and model not in inlined
    ]
    assert missing == []


@pytest.mark.parametrize(
    "model",
    [model for model in project_models() if admin.site.is_registered(model)],
    ids=lambda model: model.__name__,
)
def test_every_changelist_opens_for_a_manager(manager_client, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert manager_client.get(url).status_code == 200


def test_the_admin_is_closed_to_office_staff(office_client):
    response = office_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


def test_the_delivery_changelist_reads_a_fixed_number_of_queries(
    manager_client, django_assert_max_num_queries
):
    customer = Customer.objects.create(code="1984845")
    Delivery.objects.bulk_create(
        Delivery(customer=customer, delivery_date=dt.date(2025, 1, 1) + dt.timedelta(n))
        for n in range(300)
    )
    with django_assert_max_num_queries(8):
        response = manager_client.get(reverse("admin:deliveries_delivery_changelist"))
    assert response.status_code == 200


def post_import(client, model, content, name):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(url, {"resource": "0", "format": "1", "import_file": upload})


def test_the_admin_refuses_a_big_file_and_names_the_command(manager_client, settings):
    settings.ADMIN_IMPORT_MAX_BYTES = 100
    response = post_import(manager_client, Customer, b"x" * 200, "big.csv")

    assert response.status_code == 200
    assert "python manage.py import_customers" in response.text
    assert not Customer.objects.exists()


def test_a_small_csv_imports_customers_through_the_admin(manager_client):
    content = "客戶代碼,客戶簡稱,區域\n1984845,春風早餐,A\n".encode()
    response = post_import(manager_client, Customer, content, "customers.csv")
    assert response.status_code == 200
    assert "1984845" in response.text

    form = response.context["confirm_form"]
    confirm = reverse("admin:customers_customer_process_import")
    manager_client.post(confirm, form.initial)

    customer = Customer.objects.get(code="1984845")
    assert customer.short_name == "春風早餐"
    assert customer.area.code == "A"


def export_fields(client, url):
    """Every field of the export form ticked, as a manager would."""
    fields = client.get(url).context["form"].fields
    return {name: "on" for name in fields if "resource_" in name}


def test_customers_export_to_xlsx_with_chinese_headers(manager_client):
    Customer.objects.create(code="1984845", short_name="春風早餐")
    url = reverse("admin:customers_customer_export")
    every_field = export_fields(manager_client, url)
    response = manager_client.post(url, {"resource": "0", "format": "0", **every_field})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    assert "客戶代碼" in headers and "客戶簡稱" in headers
    row = dict(zip(headers, [cell.value for cell in sheet[2]], strict=True))
    assert row["客戶代碼"] == "1984845"


def test_the_delivery_search_finds_one_customers_deliveries_by_exact_code(
    manager_client,
):
    wanted = Customer.objects.create(code="1984845")
    other = Customer.objects.create(code="19848450")
    for customer in (wanted, other):
        Delivery.objects.create(customer=customer, delivery_date=dt.date(2025, 1, 1))

    url = reverse("admin:deliveries_delivery_changelist")
    listed = manager_client.get(url, {"q": "1984845"}).context["cl"].result_list

    assert [delivery.customer for delivery in listed] == [wanted]


def test_the_old_systems_own_layout_is_sent_to_the_command(manager_client, sample_dir):
    content = (sample_dir / "client_list.xlsx").read_bytes()
    url = reverse("admin:customers_customer_import")
    upload = io.BytesIO(content)
    upload.name = "client_list.xlsx"
    response = manager_client.post(
        url, {"resource": "0", "format": "0", "import_file": upload}
    )

    assert "缺少「客戶代碼」欄" in response.text
    assert "python manage.py import_customers" in response.text
    assert not Customer.objects.exists()


def confirm_import(client, response, model):
    form = response.context["confirm_form"]
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_process_import"
    )
    return client.post(url, form.initial)


def test_a_delivery_outcome_is_taken_by_its_chinese_label(manager_client):
    Customer.objects.create(code="1984845")
    content = "id,客戶,配送日,結果\n,1984845,2025-05-21,客戶不在\n".encode("utf-8-sig")
    response = post_import(manager_client, Delivery, content, "deliveries.csv")
    confirm_import(manager_client, response, Delivery)

    delivery = Delivery.objects.get()
    assert delivery.outcome == Delivery.Outcome.ABSENT
    customer_page = manager_client.get(reverse("customers:detail", args=["1984845"]))
    assert customer_page.status_code == 200 and "客戶不在" in customer_page.text


def test_an_unknown_choice_is_refused_and_nothing_is_saved(manager_client):
    Customer.objects.create(code="1984845")
    content = "id,客戶,配送日,結果\n,1984845,2025-05-21,送到了\n".encode()
    response = post_import(manager_client, Delivery, content, "deliveries.csv")

    assert "「送到了」不是可接受的值" in response.text
    assert (
        "confirm_form" not in response.context or not response.context["confirm_form"]
    )
    assert not Delivery.objects.exists()


def test_a_delivery_dated_after_today_is_refused_in_the_form_and_the_import(
    manager_client,
):
    customer = Customer.objects.create(code="1984845")
    future = today() + dt.timedelta(days=1)
    form = manager_client.post(
        reverse("admin:deliveries_delivery_add"),
        {
            "customer": customer.pk,
            "delivery_date": future.isoformat(),
            "outcome": Delivery.Outcome.DELIVERED,
            "source": Delivery.Source.APP,
            "items-TOTAL_FORMS": 0,
            "items-INITIAL_FORMS": 0,
        },
    )
    content = f"id,客戶,配送日\n,1984845,{future.isoformat()}\n".encode()
    imported = post_import(manager_client, Delivery, content, "deliveries.csv")

    for response in (form, imported):
        assert f"配送日 {to_roc(future)} 在未來" in response.text
    assert not Delivery.objects.exists()


def test_the_csv_export_opens_in_excel_with_chinese_labels(manager_client):
    customer = Customer.objects.create(code="1984845")
    Delivery.objects.create(customer=customer, delivery_date=dt.date(2025, 5, 21))
    url = reverse("admin:deliveries_delivery_export")
    every_field = export_fields(manager_client, url)
    response = manager_client.post(url, {"resource": "0", "format": "1", **every_field})

    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert "已送達" in text and "本系統" in text and "delivered" not in text


CUSTOMERS_CSV = "客戶代碼,客戶簡稱,區域\n1984845,春風早餐,A\n"


@pytest.mark.parametrize(
    "content",
    [
        CUSTOMERS_CSV.encode("utf-8-sig"),  # Excel's "CSV UTF-8"
        CUSTOMERS_CSV.encode("cp950"),  # Excel's plain CSV in Taiwan (Big5)
        CUSTOMERS_CSV.replace(",", "\t").encode("utf-16"),  # "Unicode 文字"
    ],
    ids=["utf-8-sig", "big5", "utf-16-tabs"],
)
def test_a_csv_in_any_of_excels_encodings_imports(manager_client, content):
    response = post_import(manager_client, Customer, content, "customers.csv")
    confirm_import(manager_client, response, Customer)

    assert Customer.objects.get(code="1984845").short_name == "春風早餐"


def test_a_csv_in_no_known_encoding_is_refused_and_changes_nothing(manager_client):
    content = "客戶代碼,客戶簡稱\n1984845,春風早餐\n".encode()[:-3] + b"\xff\xfe\x00"

    response = post_import(manager_client, Customer, content, "customers.csv")

    assert "無法辨認這個 CSV 檔的文字編碼" in response.text
    assert not Customer.objects.exists()


def test_a_name_that_looks_like_a_formula_exports_from_the_admin_as_text(
    manager_client,
):
    Customer.objects.create(code="1984845", short_name="=1+1", address="@SUM(A1)")
    url = reverse("admin:customers_customer_export")
    every_field = export_fields(manager_client, url)
    response = manager_client.post(url, {"resource": "0", "format": "0", **every_field})

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    name = sheet.cell(row=2, column=headers.index("客戶簡稱") + 1)
    assert name.value == "=1+1" and name.data_type == "s"
