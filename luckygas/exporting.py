"""Excel files the pages and commands write, safe to open."""

import csv
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cells(sheet, values):
    """Cells of a row; text that looks like a formula stays text."""
    return [
        _text_cell(sheet, value) if _formula_like(value) else value for value in values
    ]


def _formula_like(value):
    return isinstance(value, str) and value.startswith("=")


def _text_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def sheet_title(name):
    """A name Excel takes for a sheet: none of []:*?/\\, no apostrophe at
    either end, at most 31 characters."""
    for char in "[]:*?/\\":
        name = name.replace(char, "-")
    return name[:31].strip("'") or "Sheet"


A4 = "9"


def write_workbook(
    target, sheet_name, headers, rows, extra_sheets=(), widths=(), landscape=False
):
    """Write rows under headers into a new workbook at `target` (path or file).

    `widths` sets the first columns' widths; `landscape` prints the sheet on A4
    turned sideways, as wide as the page.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(sheet_name))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    if landscape:
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToHeight = 0
    sheet.append(_cells(sheet, headers))
    for row in rows:
        sheet.append(_cells(sheet, row))
    for name, sheet_headers in extra_sheets:
        book.create_sheet(sheet_title(name)).append(sheet_headers)
    book.save(target)


def _attachment(response, filename):
    fallback = "export" + filename[filename.rfind(".") :]
    encoded = quote(filename, safe="")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    )
    return response


def xlsx_response(filename, sheet_name, headers, rows, **layout):
    response = _attachment(HttpResponse(content_type=XLSX), filename)
    write_workbook(response, sheet_name, headers, rows, **layout)
    return response


def csv_response(filename, headers, rows):
    """CSV with a byte-order mark, so that Excel in Taiwan reads it as UTF-8."""
    response = _attachment(
        HttpResponse(content_type="text/csv; charset=utf-8"), filename
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(headers)
    writer.writerows(rows)
    return response
