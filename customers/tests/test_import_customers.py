import csv
import re
import shutil
import zipfile

import pytest
from django.core.management import CommandError, call_command

from customers.importing import ClientListImporter
from customers.models import Customer
from deliveries.models import Product
from reports.models import Refresh

pytestmark = pytest.mark.django_db


def messy_row(code=1984845, **cells):
    row = {
        "客戶": code,
        "電子發票抬頭": "春風早餐店",
        "客戶簡稱": "€●春風早餐9點前",
        "地址": "臺東市四維路157號 ",
        "系統上鋼瓶數量": "20*5+16*1",
        "20KG": 5.0,
        "16KG": 1.0,
        "計價方式": "流量",
        "結帳方式": "收現",
        "發報": "V",
        "排巡": "夜市",
        "已解約": "X",
        "10~11": 1.0,
        "11~12": 1.0,
        "14~15": 1.0,
        "時段早1午2晚3全天0": 2.0,
        "公休日": 2.2999999999999998,
        "切替器型號": "自動切替器KA32AK\u00a0",
        "月配送量": 60.0,
        "退氣比例": "#DIV/0!",
        "最大週期": 11.76470588235294,
        "區域": "H-鹿野縣",
        "1汽車/2機車/0全部": 2.0,
        "預備桶": "20*1",
        "流量表": "客戶自有",
        "切替器": 1.0,
        "（無標題欄）": 1.0,
        "類型": "夜市",
    }
    row.update(cells)
    return row


def import_file(path):
    return ClientListImporter(path, verbosity=0).run()


def test_every_column_of_the_layout_is_handled():
    from customers import importing

    handled = {
        *importing.TEXT_COLUMNS,
        *importing.NUMBER_COLUMNS,
        *importing.FLAG_COLUMNS,
        *importing.EQUIPMENT_COLUMNS,
        *importing.CHOICE_COLUMNS,
        *importing.HOUR_COLUMNS,
        *Product.objects.values_list("sheet_column", flat=True),
        "客戶", "系統上鋼瓶數量", "公休日", "區域", "單一區域供應", "預備桶",
    }  # fmt: skip
    assert handled == set(importing.CLIENT_LIST_HEADERS)
    assert len(importing.CLIENT_LIST_HEADERS) == 76


def test_messy_cells_parse_to_the_right_values(client_workbook):
    summary = import_file(client_workbook([messy_row()]))

    assert (summary.created, summary.rejected) == (1, 0)
    customer = Customer.objects.get(code="1984845")
    assert customer.origin == Customer.Origin.CLIENT_LIST
    assert customer.address == "臺東市四維路157號"
    assert customer.switcher_model == "自動切替器KA32AK"
    assert customer.cylinder_expression_counts == {"20": 5, "16": 1}
    assert {c.product.sheet_column: c.quantity for c in customer.cylinders.all()} == {
        "20KG": 5,
        "16KG": 1,
    }
    assert customer.pricing == Customer.Pricing.FLOW
    assert customer.settlement == Customer.Settlement.CASH
    assert customer.has_alarm is True
    assert (customer.on_patrol, customer.patrol_note) == (True, "夜市")
    assert customer.terminated is False
    assert customer.open_hours == [10, 11, 14]
    assert customer.open_hours_display == "10~12、14~15"
    assert customer.time_slot == Customer.TimeSlot.AFTERNOON
    assert customer.closed_days_text == "2.3"
    assert customer.closed_weekdays == "23"
    assert customer.monthly_kg == 60.0
    assert customer.returned_ratio is None
    assert customer.max_cycle_days == 11.76470588235294
    assert customer.area.code == "H"
    assert customer.area_text == "H-鹿野縣"
    assert customer.vehicle == Customer.Vehicle.MOTORCYCLE
    assert (customer.spare_cylinders, customer.spare_cylinder_count) == ("20*1", 1)
    assert customer.flow_meter == Customer.Ownership.CUSTOMER
    assert customer.switcher == Customer.Ownership.COMPANY
    assert customer.wired_switcher == Customer.Ownership.COMPANY
    assert customer.kind == Customer.Kind.NIGHT_MARKET
    assert customer.raw_row["退氣比例"] == "#DIV/0!"
    assert customer.raw_row["公休日"] == 2.2999999999999998


def test_blank_cells_stay_blank(client_workbook):
    import_file(client_workbook([{"客戶": 1500001.0, "客戶簡稱": "空白客"}]))

    customer = Customer.objects.get(code="1500001")
    assert customer.has_alarm is None
    assert customer.terminated is None
    assert customer.pricing == ""
    assert customer.time_slot is None
    assert customer.vehicle is None
    assert customer.monthly_kg is None
    assert customer.area is None
    assert customer.open_hours == []
    assert customer.cylinder_expression_counts is None
    assert not customer.cylinders.exists()
    assert customer.raw_row == {"客戶": 1500001, "客戶簡稱": "空白客"}


@pytest.mark.parametrize(
    ("closed", "weekdays", "holidays", "lunar", "month_days", "unparsed"),
    [
        (6.7, "67", False, "", "", ""),
        ("Red", "", True, "", "", ""),
        ("見紅休", "", True, "", "", ""),
        ("7(初一十五)", "7", False, "1,15", "", ""),
        ("10.20.30", "", False, "", "10,20,30", ""),
        ("6.7(14)", "67", False, "", "", "(14)"),
    ],
)
def test_closed_days_are_stored_as_rules(
    client_workbook, closed, weekdays, holidays, lunar, month_days, unparsed
):
    import_file(client_workbook([messy_row(公休日=closed)]))

    customer = Customer.objects.get()
    assert customer.closed_weekdays == weekdays
    assert customer.closed_on_public_holidays is holidays
    assert customer.closed_lunar_days == lunar
    assert customer.closed_month_days == month_days
    assert customer.closed_days_unparsed == unparsed


def test_a_second_run_of_the_same_file_changes_nothing(client_workbook):
    path = client_workbook([messy_row(1500001), messy_row(1500002)])
    import_file(path)
    before = list(Customer.objects.values_list("code", "updated_at"))

    summary = import_file(path)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert list(Customer.objects.values_list("code", "updated_at")) == before


def test_a_changed_row_updates_its_customer(client_workbook):
    import_file(client_workbook([messy_row(1500001), messy_row(1500002)]))

    changed = messy_row(1500002, 地址="臺東市新生路1號", **{"20KG": 2.0, "16KG": None})
    summary = import_file(client_workbook([messy_row(1500001), changed], "v2.xlsx"))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    customer = Customer.objects.get(code="1500002")
    assert customer.address == "臺東市新生路1號"
    assert [(c.product.sheet_column, c.quantity) for c in customer.cylinders.all()] == [
        ("20KG", 2)
    ]


def test_bad_rows_and_cells_are_listed_with_row_column_value_and_reason(
    client_workbook, settings
):
    rows = [
        messy_row(1500001),
        messy_row("ABC"),
        messy_row(1500001),
        messy_row(1500003, 區域="Z-月球", 月配送量="很多", 公休日="6.7(14)"),
    ]
    summary = import_file(client_workbook(rows))

    assert (summary.read, summary.created, summary.rejected) == (4, 2, 2)
    assert summary.problem_cells == 3
    with open(summary.rejects_path, encoding="utf-8-sig") as handle:
        listed = list(csv.DictReader(handle))
    assert [(r["列"], r["欄"], r["值"]) for r in listed] == [
        ("3", "A 客戶", "ABC"),
        ("4", "A 客戶", "1500001"),
        ("5", "AU 月配送量", "很多"),
        ("5", "AR 公休日", "6.7(14)"),
        ("5", "BE 區域", "Z-月球"),
    ]
    assert all(r["原因"] for r in listed)
    kept = Customer.objects.get(code="1500003")
    assert kept.area is None and kept.area_text == "Z-月球"
    assert kept.monthly_kg is None and kept.raw_row["月配送量"] == "很多"


def test_a_file_that_is_not_a_workbook_changes_nothing(tmp_path):
    path = tmp_path / "客戶.xlsx"
    path.write_text("客戶,地址\n1984845,臺東市\n", encoding="utf-8")

    with pytest.raises(CommandError, match="不是 Excel 活頁簿"):
        call_command("import_customers", str(path), verbosity=0)
    assert not Customer.objects.exists()


def test_a_workbook_without_the_client_sheet_is_refused(history_workbook):
    path = history_workbook([(1984845, "店", "店", "路", 1140521)])

    with pytest.raises(CommandError, match="沒有工作表「客戶資料」"):
        call_command("import_customers", str(path), verbosity=0)
    assert not Customer.objects.exists()


def test_a_workbook_missing_columns_names_them(client_workbook):
    headers = [h for h in messy_row() if h not in ("公休日", "區域")]
    path = client_workbook([messy_row()], headers=["客戶", *headers[1:]])

    with pytest.raises(CommandError, match="缺少欄位") as error:
        call_command("import_customers", str(path), verbosity=0)
    assert "公休日" in str(error.value) and "區域" in str(error.value)
    assert not Customer.objects.exists()


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="找不到檔案"):
        call_command("import_customers", str(tmp_path / "nothing.xlsx"), verbosity=0)


def test_the_company_sample_imports_120_customers_once(sample_dir, capsys):
    call_command("import_customers", str(sample_dir / "client_list.xlsx"))
    assert Customer.objects.count() == 120
    assert "新增 120" in capsys.readouterr().out

    call_command("import_customers", str(sample_dir / "client_list.xlsx"))
    assert Customer.objects.count() == 120
    assert "新增 0，更新 0，未變更 120" in capsys.readouterr().out


def test_a_file_with_a_long_name_imports_and_refreshes_the_reports(
    sample_dir, tmp_path, capsys
):
    path = tmp_path / f"客戶資料-{'匯出' * 30}.xlsx"
    shutil.copy(sample_dir / "client_list.xlsx", path)

    call_command("import_customers", str(path))

    assert Customer.objects.count() == 120
    assert Refresh.objects.get().trigger == f"import {path.name}"[:50]


def test_values_too_big_for_the_database_are_refused_cell_by_cell(client_workbook):
    row = messy_row(
        1500001,
        地址="臺東市" + "很長的路" * 100,
        公休日="6.7" + "。" * 60,
        **{"20KG": 40000.0, "月配送量": "nan"},
    )
    summary = import_file(client_workbook([row, messy_row(1500002)]))

    assert (summary.created, summary.rejected) == (2, 0)
    customer = Customer.objects.get(code="1500001")
    assert customer.address == "" and customer.raw_row["地址"].startswith("臺東市很長")
    assert customer.closed_days_text == "" and customer.closed_weekdays == ""
    assert customer.monthly_kg is None
    assert not customer.cylinders.filter(product__sheet_column="20KG").exists()
    with open(summary.rejects_path, encoding="utf-8-sig") as handle:
        reasons = {r["欄"]: r["原因"] for r in csv.DictReader(handle)}
    assert reasons["D 地址"] == "超過 300 字"
    assert reasons["AR 公休日"] == "超過 50 字"
    assert reasons["I 20KG"] == "數量超過 32767"
    assert reasons["AU 月配送量"] == "不是有限的數字"


def test_a_file_that_understates_its_size_is_read_whole(client_workbook):
    path = client_workbook([messy_row(1500001), messy_row(1500002), {"客戶": 1500003}])
    # Make the file claim fewer rows than it holds, as some exporters do.
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet], replaced = re.subn(
        rb"</sheetPr>", b'</sheetPr><dimension ref="A1:BX2"/>', parts[sheet]
    )
    assert replaced == 1
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)

    summary = import_file(path)

    assert summary.created == 3
