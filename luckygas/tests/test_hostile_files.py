"""Files as Excel and other programs really write them, and as an attacker
would: each imports what is real or is refused in one clear message, fast,
and a refused file changes nothing."""

import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from customers.importing import CLIENT_LIST_HEADERS
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


EXTERNAL_LINK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<externalBook r:id="rId1"><sheetNames><sheetName val="Sheet1"/></sheetNames>'
    b'<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1" t="n"><v>1140521</v>'
    b"</cell></row></sheetData></sheetDataSet></externalBook></externalLink>"
)
EXTERNAL_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/externalLinkPath" Target="file:///C:/old/other.xlsx"'
    b' TargetMode="External"/></Relationships>'
)


def with_external_link(path, ref="E2", value=b"<v>1140521</v>", kind=b""):
    """The workbook with a link to another workbook, and a cell whose value
    comes from it (its result saved, as Excel does)."""
    linked = path.with_name("linked-" + path.name)
    sheet = sheet_part(path)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(linked, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == sheet:
                found = rb'<c r="' + ref.encode() + rb'"[^>]*>.*?</c>'
                cell = re.search(found, data)[0]
                linked_cell = b'<c r="%s"%s><f>[1]Sheet1!A1</f>%s</c>' % (
                    ref.encode(),
                    kind,
                    value,
                )
                data = data.replace(cell, linked_cell)
            elif item.filename == "xl/workbook.xml":
                data = data.replace(
                    b"</sheets>",
                    b"</sheets><externalReferences><externalReference"
                    b' xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships" r:id="rIdX"/>'
                    b"</externalReferences>",
                )
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/externalLink"'
                    b' Target="externalLinks/externalLink1.xml"/></Relationships>',
                )
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/externalLinks/externalLink1.xml"'
                    b' ContentType="application/vnd.openxmlformats-officedocument.'
                    b'spreadsheetml.externalLink+xml"/></Types>',
                )
            target.writestr(item, data)
        target.writestr("xl/externalLinks/externalLink1.xml", EXTERNAL_LINK)
        target.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", EXTERNAL_RELS)
    return linked


def test_a_value_linked_from_another_workbook_imports_as_saved(history_workbook):
    path = with_external_link(history_workbook([HISTORY_ROW]))

    call_command("import_deliveries", str(path), verbosity=0)

    assert Delivery.objects.get().delivery_date.isoformat() == "2025-05-21"


def test_a_client_list_with_a_link_to_another_workbook_imports(client_workbook):
    path = client_workbook([{"客戶": "1500001", "客戶簡稱": "店01", "地址": "x"}])
    column = get_column_letter(CLIENT_LIST_HEADERS.index("地址") + 1)
    saved = "<v>臺東市</v>".encode()
    linked = with_external_link(path, ref=f"{column}2", value=saved, kind=b' t="str"')

    call_command("import_customers", str(linked), verbosity=0)

    assert Customer.objects.get(code="1500001").address == "臺東市"
