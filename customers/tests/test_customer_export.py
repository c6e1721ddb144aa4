import io

import openpyxl
import pytest
from django.urls import reverse

from customers.importing import CLIENT_LIST_HEADERS, ClientListImporter
from customers.models import Customer
from customers.tests.test_import_customers import messy_row

pytestmark = pytest.mark.django_db


def exported_sheet(client, **filters):
    response = client.get(reverse("customers:export"), filters)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))["客戶資料"]


def test_the_export_is_the_client_list_layout(office_client, client_workbook):
    ClientListImporter(client_workbook([messy_row()]), verbosity=0).run()

    sheet = exported_sheet(office_client)

    headers = [cell.value for cell in sheet[1]]
    assert headers == [None if h == "（無標題欄）" else h for h in CLIENT_LIST_HEADERS]
    row = dict(zip(CLIENT_LIST_HEADERS, [cell.value for cell in sheet[2]], strict=True))
    assert row["客戶"] == "1984845"
    assert row["公休日"] == "2.3"
    assert row["排巡"] == "夜市" and row["發報"] == "V" and row["已解約"] == "X"
    assert row["20KG"] == 5 and row["16KG"] == 1


def test_an_exported_list_imports_back_unchanged(
    office_client, client_workbook, tmp_path
):
    rows = [messy_row(1500001), messy_row(1500002, 公休日="Red", 區域="C-漢中")]
    ClientListImporter(client_workbook(rows), verbosity=0).run()
    before = {c.code: c.closed_on_public_holidays for c in Customer.objects.all()}

    response = office_client.get(reverse("customers:export"))
    path = tmp_path / "exported.xlsx"
    path.write_bytes(response.content)
    summary = ClientListImporter(path, verbosity=0).run()

    assert (summary.created, summary.updated, summary.rejected) == (0, 0, 0)
    assert summary.unchanged == 2
    assert {
        c.code: c.closed_on_public_holidays for c in Customer.objects.all()
    } == before


def test_the_export_follows_the_filters(office_client):
    Customer.objects.create(code="1500001", short_name="海風", pricing="flow")
    Customer.objects.create(code="1500002", short_name="稻香", pricing="cylinder")

    sheet = exported_sheet(office_client, pricing="flow")

    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "1500001"
    ]


def test_a_name_that_looks_like_a_formula_exports_as_text(office_client):
    Customer.objects.create(code="1500001", short_name="=1+1")

    sheet = exported_sheet(office_client)

    cell = sheet.cell(row=2, column=CLIENT_LIST_HEADERS.index("客戶簡稱") + 1)
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_the_export_refuses_outsiders(client, driver_client):
    assert driver_client.get(reverse("customers:export")).status_code == 403
