import csv
import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer
from deliveries.importing import HistoryImporter
from deliveries.models import Delivery, DeliveryHistory

pytestmark = pytest.mark.django_db


def import_file(path):
    return HistoryImporter(path, verbosity=0).run()


def dates_of(code):
    return sorted(
        Delivery.objects.filter(customer__code=code).values_list(
            "delivery_date", flat=True
        )
    )


def test_roc_dates_of_seven_and_six_digits_are_read(history_workbook):
    path = history_workbook(
        [
            (1984845, "春風早餐店", "春風早餐", "臺東市四維路1號", 1140521),
            (1984845, "春風早餐店", "春風早餐", "臺東市四維路1號", 991231),
            (1984845, "春風早餐店", "春風早餐", "臺東市四維路1號", "1100102"),
        ]
    )
    summary = import_file(path)

    assert (summary.read, summary.created, summary.rejected) == (3, 3, 0)
    assert dates_of("1984845") == [
        dt.date(2010, 12, 31),
        dt.date(2021, 1, 2),
        dt.date(2025, 5, 21),
    ]


def test_an_unknown_code_creates_its_customer_from_the_rows(history_workbook):
    path = history_workbook(
        [
            (1234567, "維修現金客戶", None, "臺東市中山路5號", 1130101),
            (1234567, "維修現金客戶", None, None, 1140101),
        ]
    )
    import_file(path)

    customer = Customer.objects.get(code="1234567")
    assert customer.origin == Customer.Origin.HISTORY
    assert customer.invoice_title == "維修現金客戶"
    assert customer.short_name == ""
    assert customer.address == "臺東市中山路5號"


def test_history_does_not_overwrite_a_client_list_customer(history_workbook):
    Customer.objects.create(
        code="1984845", short_name="正式名稱", origin=Customer.Origin.CLIENT_LIST
    )
    import_file(history_workbook([(1984845, "舊名", "舊簡稱", "舊地址", 1140521)]))

    customer = Customer.objects.get(code="1984845")
    assert customer.short_name == "正式名稱"
    assert customer.delivery_records.count() == 1


def test_a_newer_row_updates_a_history_only_customer(history_workbook):
    import_file(history_workbook([(1234567, "陳宅", None, "舊地址", 1130101)]))

    summary = import_file(
        history_workbook(
            [
                (1234567, "陳宅", None, "舊地址", 1130101),
                (1234567, "陳宅", None, "新地址", 1140101),
            ],
            name="newer.xlsx",
        )
    )
    assert Customer.objects.get(code="1234567").address == "新地址"
    assert summary.created == 1 and "更新客戶 1 位" in summary.line()


def test_two_deliveries_on_one_day_are_both_kept_and_a_rerun_adds_nothing(
    history_workbook,
):
    row = (1984845, "春風早餐店", "春風早餐", "臺東市四維路1號", 1140521)
    path = history_workbook([row, row, (*row[:4], 1140522)])

    first = import_file(path)
    second = import_file(path)

    assert (first.created, first.unchanged) == (3, 0)
    assert (second.created, second.unchanged) == (0, 3)
    assert Delivery.objects.count() == 3
    assert Customer.objects.count() == 1


def test_an_interrupted_import_completes_when_run_again(history_workbook):
    rows = [(1984845, "店", "店", "路", 1140500 + day) for day in range(1, 29)]
    path = history_workbook(rows)
    importer = HistoryImporter(path, verbosity=0)
    positions, data = importer.read()
    counts, names = importer.parse(positions, data)
    ids = importer.save_customers(names)
    importer.insert(importer.missing_deliveries(counts, ids)[:10])  # then killed

    summary = import_file(path)

    assert (summary.created, summary.unchanged) == (18, 10)
    assert len(set(dates_of("1984845"))) == 28 == Delivery.objects.count()


def test_archived_deliveries_count_as_already_imported(history_workbook):
    customer = Customer.objects.create(code="1984845")
    DeliveryHistory.objects.create(
        id=1, customer=customer, delivery_date=dt.date(2021, 1, 2)
    )
    path = history_workbook(
        [(1984845, "店", "店", "路", 1100102), (1984845, "店", "店", "路", 1140521)]
    )
    summary = import_file(path)

    assert (summary.created, summary.unchanged) == (1, 1)
    assert dates_of("1984845") == [dt.date(2025, 5, 21)]


def test_bad_rows_are_listed_and_the_rest_imported(history_workbook):
    path = history_workbook(
        [
            (1984845, "店", "店", "路", 1140521),
            (None, "無代碼", None, None, 1140521),
            (1984845, "店", "店", "路", "昨天"),
            (1984845, "店", "店", "路", 1141340),
            (None, None, None, None, None),
        ]
    )
    summary = import_file(path)

    assert (summary.read, summary.created, summary.rejected) == (4, 1, 3)
    with open(summary.rejects_path, encoding="utf-8-sig") as handle:
        listed = [(r["列"], r["欄"], r["值"]) for r in csv.DictReader(handle)]
    assert listed == [
        ("3", "A 客戶", ""),
        ("4", "E 最後十次日期", "昨天"),
        ("5", "E 最後十次日期", "1141340"),
    ]


def test_a_file_that_is_not_a_workbook_changes_nothing(tmp_path):
    path = tmp_path / "history.xlsx"
    path.write_bytes(b"\x00\x01 not a workbook")

    with pytest.raises(CommandError, match="不是 Excel 活頁簿"):
        call_command("import_deliveries", str(path), verbosity=0)
    assert not Delivery.objects.exists()


def test_a_workbook_of_another_layout_is_refused(client_workbook):
    with pytest.raises(CommandError, match="缺少欄位：最後十次日期"):
        call_command(
            "import_deliveries", str(client_workbook([{"客戶": 1}])), verbosity=0
        )
    assert not Customer.objects.exists()


def test_the_company_sample_imports_6000_deliveries_once(sample_dir, capsys):
    call_command("import_customers", str(sample_dir / "client_list.xlsx"), verbosity=0)
    call_command("import_deliveries", str(sample_dir / "delivery_history.xlsx"))
    assert Delivery.objects.count() == 6000
    assert "新增 6000" in capsys.readouterr().out
    assert Customer.objects.filter(origin=Customer.Origin.HISTORY).exists()

    call_command("import_deliveries", str(sample_dir / "delivery_history.xlsx"))
    assert Delivery.objects.count() == 6000
    assert "新增 0，更新 0，未變更 6000" in capsys.readouterr().out


def test_a_date_in_the_future_is_refused(history_workbook, monkeypatch):
    monkeypatch.setattr("deliveries.importing.today", lambda: dt.date(2025, 5, 21))
    path = history_workbook(
        [(1984845, "店", "店", "路", 1140521), (1984845, "店", "店", "路", 1140522)]
    )
    summary = import_file(path)

    assert (summary.created, summary.rejected) == (1, 1)
    with open(summary.rejects_path, encoding="utf-8-sig") as handle:
        (reject,) = csv.DictReader(handle)
    assert reject["原因"] == "日期在未來（今天是 114/05/21）"


def test_a_name_too_long_for_the_database_is_left_out_and_listed(history_workbook):
    long_name = "很長的名字" * 50  # 250 characters; the column holds 200
    summary = import_file(history_workbook([(1234567, long_name, "陳", "路", 1140521)]))

    customer = Customer.objects.get(code="1234567")
    assert customer.invoice_title == "" and customer.short_name == "陳"
    assert summary.created == 1 and summary.problem_cells == 1


def test_a_stray_cell_far_to_the_right_is_refused_before_reading(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["客戶", "電子發票抬頭", "客戶簡稱", "地址", "最後十次日期"])
    sheet.append([1984845, "店", "店", "路", 1140521])
    sheet.cell(row=1, column=16384, value=" ")
    path = tmp_path / "stray.xlsx"
    book.save(path)

    with pytest.raises(CommandError, match="用到第 16,384 欄"):
        call_command("import_deliveries", str(path), verbosity=0)
    assert not Delivery.objects.exists()
