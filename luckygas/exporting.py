"""Excel files the pages and commands write, safe to open."""

from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cells(sheet, values):
    """Cells of a row; text that looks like a formula stays text."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
        cells.append(cell)
    return cells


def write_workbook(target, sheet_name, headers, rows, extra_sheets=()):
    """Write rows under headers into a new workbook at `target` (path or file)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.append(headers)
    for row in rows:
        sheet.append(_cells(sheet, row))
    for name, sheet_headers in extra_sheets:
        book.create_sheet(name).append(sheet_headers)
    book.save(target)


def xlsx_response(filename, sheet_name, headers, rows):
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    write_workbook(response, sheet_name, headers, rows)
    return response
