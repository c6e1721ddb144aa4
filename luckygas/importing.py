"""What the import commands share: opening workbooks, rejects, summaries."""

import argparse
import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from tqdm import tqdm

# Far beyond the company's widest file (76 columns).
MAX_COLUMNS = 200


INTERRUPTED = "匯入中斷；已完成的批次已存入，再執行一次同一個檔案即可補齊"


def positive_int(text):
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"應為正整數，不是 {text}")
    return number


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was changed."""


class CellError(ValueError):
    """One cell's value cannot be read; the message says why, in Chinese."""


def _check_workbook(path):
    """The path of a workbook fit to be read: refused before reading when it
    is too big for an export of the company's, unpacks to far more than
    that (a zip bomb), or holds formulas without their results."""
    path = Path(path)
    if path.is_dir():
        raise ImportFileError(f"{path} 是資料夾，請指定活頁簿檔案")
    if not path.is_file():
        raise ImportFileError(f"找不到檔案：{path}")
    size = path.stat().st_size
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            f"{path.name} 有 {size / 2**20:,.1f} MB，超過匯入上限 "
            f"{settings.IMPORT_MAX_BYTES / 2**20:,.0f} MB（IMPORT_MAX_BYTES）"
        )
    if not zipfile.is_zipfile(path):
        raise ImportFileError(
            f"{path.name} 不是 Excel 活頁簿（.xlsx）；請在 Excel 另存為 .xlsx 後再匯入"
        )
    try:
        with zipfile.ZipFile(path) as book:
            parts = book.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
                raise ImportFileError(
                    f"{path.name} 解壓後有 {unpacked / 2**20:,.0f} MB，超過上限 "
                    f"{settings.IMPORT_MAX_UNPACKED_BYTES / 2**20:,.0f} MB，"
                    "不像舊系統匯出的檔案"
                )
            _refuse_formulas_without_results(path, book, parts)
    except zipfile.BadZipFile as error:
        raise ImportFileError(f"{path.name} 無法以 Excel 活頁簿開啟：{error}") from None
    return path


# A formula cell whose result was never saved: <c r="B2"><f>…</f></c>, with
# no <v> after the formula (files written by programs other than Excel).
_FORMULA_WITHOUT_RESULT = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"[^>]*>\s*<f(?:\s[^>]*)?(?:/>|>[^<]*</f>)'
    rb"\s*(?:<v\s*/>|<v></v>)?\s*</c>"
)


def _refuse_formulas_without_results(path, book, parts):
    for part in parts:
        if not part.filename.startswith("xl/worksheets/"):
            continue
        if match := _FORMULA_WITHOUT_RESULT.search(book.read(part.filename)):
            raise ImportFileError(
                f"{path.name} 的 {match[1].decode()} 格是公式，"
                "但檔案沒有存下它的計算結果（多半不是 Excel 存的檔）；"
                "請用 Excel 開啟、另存新檔後再匯入"
            )


def _missing_sheet(path, wanted, names):
    listed = "、".join(names) or "（無）"
    return ImportFileError(
        f"{path.name} 沒有工作表「{wanted}」；檔案中的工作表：{listed}"
    )


def read_rows_exact(path, sheet_name):
    """Rows of a sheet through openpyxl, which keeps error cells such as #DIV/0!."""
    path = _check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl and its XML parsers raise many kinds
        raise _unreadable(path, error) from error
    try:
        if sheet_name not in book.sheetnames:
            raise _missing_sheet(path, sheet_name, book.sheetnames)
        sheet = book[sheet_name]
        # The size a file records for itself is often wrong in exports made by
        # other programs; read the rows that are really there.
        sheet.reset_dimensions()
        try:
            return [tuple(row) for row in sheet.iter_rows(values_only=True)]
        except Exception as error:  # the sheet's XML is parsed only here
            raise _unreadable(path, error) from error
    finally:
        book.close()


def _unreadable(path, error):
    """A workbook its reader refused: broken XML, an XML bomb (defusedxml and
    calamine expand no entities), a damaged zip."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return ImportFileError(
        f"{path.name} 無法以 Excel 活頁簿開啟：{reason or type(error).__name__}"
    )


def read_rows_fast(path, sheet_name=None):
    """The sheet's name and rows (the first sheet by default) through calamine.

    Caveat: calamine reads error cells (#DIV/0!) as empty strings.
    """
    path = _check_workbook(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own untyped errors
        raise _unreadable(path, error) from error
    names = book.sheet_names
    if not names:
        raise ImportFileError(f"{path.name} 沒有任何工作表")
    wanted = sheet_name or names[0]
    if wanted not in names:
        raise _missing_sheet(path, wanted, names)
    try:
        sheet = book.get_sheet_by_name(wanted)
    except Exception as error:  # the sheet's XML is parsed here
        raise _unreadable(path, error) from error
    # calamine builds the whole rectangle up to the last used cell: one stray
    # cell far to the right would take gigabytes, so refuse it before reading.
    if sheet.width > MAX_COLUMNS:
        raise ImportFileError(
            f"工作表「{wanted}」用到第 {sheet.width:,} 欄，超過上限 {MAX_COLUMNS} 欄；"
            "請刪除表格右邊多餘的儲存格後再匯入"
        )
    try:
        return wanted, sheet.to_python(skip_empty_area=False)
    except Exception as error:
        raise _unreadable(path, error) from error


def header_positions(header_row, required, path, sheet_name):
    """Map each required header to its column index, or say which are missing."""
    headers = [cell_text(cell) for cell in header_row]
    missing = [name for name in required if name not in headers]
    if missing:
        raise ImportFileError(
            f"{Path(path).name} 工作表「{sheet_name}」的標題列缺少欄位："
            f"{'、'.join(missing)}；請確認是舊系統匯出的原始格式"
        )
    return {name: headers.index(name) for name in required}


def cell_text(value):
    """A cell as trimmed text; numbers lose a trailing .0; blank is ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    # str.strip() also removes non-breaking and full-width spaces.
    return str(value).strip()


def is_blank(value):
    return cell_text(value) == ""


def column_letter(index):
    """0 -> A, 26 -> AA, as Excel names columns."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


ROW_REJECTED = "整列未匯入"


@dataclass
class Reject:
    row: int
    column: str
    value: object
    reason: str
    action: str


@dataclass
class RejectLog:
    """Every row or cell an import could not take, written to a CSV file."""

    rejects: list = field(default_factory=list)

    def row(self, row, column, value, reason):
        self.rejects.append(Reject(row, column, value, reason, ROW_REJECTED))

    def cell(self, row, column, value, reason, action="保留原文，此欄留空"):
        self.rejects.append(Reject(row, column, value, reason, action))

    @property
    def rejected_rows(self):
        return len({r.row for r in self.rejects if r.action == ROW_REJECTED})

    @property
    def problem_cells(self):
        return sum(1 for r in self.rejects if r.action != ROW_REJECTED)

    def write(self, source_path, command):
        """Write the rejects next to the other logs; return the path, or None."""
        if not self.rejects:
            return None
        settings.REJECTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = settings.REJECTS_DIR / f"{command}-{Path(source_path).stem}-{stamp}.csv"
        # utf-8-sig so that Excel in Taiwan opens the Chinese text correctly.
        with open(path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["列", "欄", "值", "原因", "處理"])
            for reject in self.rejects:
                writer.writerow(
                    [
                        reject.row,
                        reject.column,
                        cell_text(reject.value),
                        reject.reason,
                        reject.action,
                    ]
                )
        return path


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    problem_cells: int = 0
    rejects_path: Path = None
    notes: list = field(default_factory=list)

    def line(self):
        parts = [
            f"讀取 {self.read} 列",
            f"新增 {self.created}",
            f"更新 {self.updated}",
            f"未變更 {self.unchanged}",
            f"拒絕 {self.rejected} 列",
        ]
        if self.problem_cells:
            parts.append(f"{self.problem_cells} 格無法解析（已保留原文）")
        parts.extend(self.notes)
        line = "，".join(parts)
        if self.rejects_path:
            line += f"。明細：{self.rejects_path}"
        return line


def progress(total, description, verbosity, unit="列"):
    """A progress bar on the terminal; silent when not a terminal or verbosity 0."""
    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        disable=None if verbosity >= 1 else True,
        leave=False,
    )


def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    for char, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(char, escaped)
    return text


def insert_rows(cursor, table, columns, rows):
    """Insert many rows the fastest way each database offers: COPY on
    PostgreSQL, executemany of one prepared statement on SQLite."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        # The same dates, codes and constants recur: format each once per column.
        caches = [{} for _ in columns]
        for row in rows:
            texts = []
            for cache, value in zip(caches, row, strict=True):
                text = cache.get(value)
                if text is None:
                    text = cache[value] = _copy_text(value)
                texts.append(text)
            buffer.write("\t".join(texts) + "\n")
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {quote(table)} ({names}) FROM STDIN", buffer)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})", rows
        )


def _database_value(field, value):
    if isinstance(field, models.JSONField):
        return None if value is None else json.dumps(value)
    return field.get_db_prep_save(value, connection)


def insert_objects(model, names, rows, **values):
    """Insert rows of `model` without the ORM's cost per object.

    Each row is a tuple of database-ready values for the fields `names`; every
    other field takes `values`, or what a new instance would have (defaults,
    auto_now_add), computed once for all rows.
    """
    template = model(**values)
    fixed = {
        field.column: _database_value(field, field.pre_save(template, add=True))
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in names
    }
    # Columns left out are NULL: binding fewer values per row is faster.
    fixed = {column: value for column, value in fixed.items() if value is not None}
    columns = [model._meta.get_field(name).column for name in names] + list(fixed)
    fixed = tuple(fixed.values())
    with connection.cursor() as cursor:
        insert_rows(
            cursor, model._meta.db_table, columns, [row + fixed for row in rows]
        )
