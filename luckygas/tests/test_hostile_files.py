"""Files as Excel and other programs really write them, and as an attacker
would: each imports what is real or is refused in one clear message, fast,
and a refused file changes nothing."""

import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from customers.models import Customer
from deliveries.importing import HISTORY_COLUMNS
from deliveries.models import Delivery

pytestmark = pytest.mark.django_db

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"
 uniqueCount="1"><si><t>&lol9;</t></si></sst>"""

HISTORY_ROW = ["1500001", "店01", "店01", "臺東市中華路1號", "1140521"]


def rewritten(path, part, change):
    """The workbook with one of its XML parts changed."""
    changed = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, change(data) if item.filename == part else data)
    return changed


def sheet_part(path):
    with zipfile.ZipFile(path) as book:
        return next(
            name for name in book.namelist() if name.startswith("xl/worksheets/")
        )


def with_bomb(xml):
    """The sheet with a billion laughs in its first cell."""
    doctype = BILLION_LAUGHS.split(b"?>", 1)[1].split(b"]>", 1)[0] + b"]>"
    body = re.sub(rb"<is><t>[^<]*</t></is>", b"<is><t>&lol9;</t></is>", xml, count=1)
    return b'<?xml version="1.0"?>' + doctype + body


@pytest.mark.parametrize("command", ["import_customers", "import_deliveries"])
def test_an_xml_bomb_is_refused_and_changes_nothing(
    command, client_workbook, history_workbook
):
    if command == "import_customers":
        path = client_workbook([{"客戶": "1500001", "客戶簡稱": "店01"}])
    else:
        path = history_workbook([HISTORY_ROW])
    bomb = rewritten(path, sheet_part(path), with_bomb)

    with pytest.raises(CommandError, match="無法以 Excel 活頁簿開啟"):
        call_command(command, str(bomb), verbosity=0)
    assert not Customer.objects.exists() and not Delivery.objects.exists()


def test_a_history_with_a_stray_cell_a_million_rows_down_imports_the_real_rows(
    history_workbook,
):
    path = history_workbook([HISTORY_ROW])

    def far_cell(xml):
        far = (
            b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t></t></is></c></row>'
        )
        return xml.replace(b"</sheetData>", far + b"</sheetData>")

    inflated = rewritten(path, sheet_part(path), far_cell)

    call_command("import_deliveries", str(inflated), verbosity=0)

    assert Delivery.objects.count() == 1


def test_a_file_too_big_to_be_a_company_export_is_refused_before_reading(
    history_workbook, settings
):
    path = history_workbook([HISTORY_ROW])
    settings.IMPORT_MAX_BYTES = path.stat().st_size - 1

    with pytest.raises(CommandError, match="超過匯入上限"):
        call_command("import_deliveries", str(path), verbosity=0)
    assert not Delivery.objects.exists()


def test_a_workbook_that_unpacks_to_gigabytes_is_refused(history_workbook, settings):
    path = history_workbook([HISTORY_ROW])
    settings.IMPORT_MAX_UNPACKED_BYTES = 1000

    with pytest.raises(CommandError, match="解壓後"):
        call_command("import_deliveries", str(path), verbosity=0)
    assert not Delivery.objects.exists()


def test_merged_header_cells_still_find_their_columns(history_workbook):
    path = history_workbook([HISTORY_ROW])

    def merge_first_two(xml):
        merge = b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
        return xml.replace(b"</sheetData>", b"</sheetData>" + merge)

    merged = rewritten(path, sheet_part(path), merge_first_two)

    call_command("import_deliveries", str(merged), verbosity=0)
    assert Delivery.objects.count() == 1


def test_a_formula_without_its_result_is_refused_naming_the_cell(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(HISTORY_COLUMNS)
    sheet.append([*HISTORY_ROW[:4], "=TODAY()"])  # openpyxl saves no result
    path = tmp_path / "formulas.xlsx"
    book.save(path)

    with pytest.raises(CommandError, match="E2 格是公式，但檔案沒有存下它的計算結果"):
        call_command("import_deliveries", str(path), verbosity=0)
    assert not Delivery.objects.exists()


def test_a_formula_with_its_result_imports_the_result(history_workbook):
    path = history_workbook([HISTORY_ROW])

    def date_by_formula(xml):
        cell = re.search(rb'<c r="E2"[^>]*>.*?</c>', xml)[0]
        return xml.replace(cell, b'<c r="E2"><f>1140500+21</f><v>1140521</v></c>')

    computed = rewritten(path, sheet_part(path), date_by_formula)

    call_command("import_deliveries", str(computed), verbosity=0)
    assert Delivery.objects.get().delivery_date.isoformat() == "2025-05-21"
