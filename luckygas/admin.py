"""What the apps' admins share: small-file imports and Chinese column names."""

import codecs
import csv
import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from import_export import resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm
from openpyxl import load_workbook

from luckygas.exporting import write_workbook


class ChoiceLabelWidget(widgets.Widget):
    """A choice read and written as the office says it (已送達), or by its key."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.labels = {str(key): str(label) for key, label in choices}
        self.keys = {label: key for key, label in self.labels.items()}

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if text in self.keys:
            return self.keys[text]
        if text in self.labels or text == "":
            return text
        allowed = "、".join(self.labels.values())
        raise ValueError(f"「{text}」不是可接受的值（可用：{allowed}）")

    def render(self, value, obj=None, **kwargs):
        return self.labels.get(str(value), "" if value is None else str(value))


class ChineseHeadersResource(resources.ModelResource):
    """Columns named by the fields' verbose names, choices by their labels."""

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = str(django_field.verbose_name)
        if django_field.choices:
            field.widget = ChoiceLabelWidget(django_field.choices)
        return field


def first_row(data):
    """The header cells of an xlsx file or of csv text, as text."""
    if isinstance(data, str):
        return [cell.strip() for cell in next(csv.reader(io.StringIO(data)), [])]
    book = load_workbook(io.BytesIO(data), read_only=True)
    sheet = book.worksheets[0]
    row = next(sheet.iter_rows(max_row=1, values_only=True), ())
    book.close()
    return [str(cell).strip() for cell in row if cell is not None]


# What Excel in Taiwan writes: "CSV UTF-8" (with a byte-order mark), plain
# "CSV" in Big5 (cp950), and "Unicode 文字", UTF-16 with tabs.
CSV_ENCODINGS = ("utf-8-sig", "cp950")


def csv_text(data):
    """The text of a CSV file in whichever of Excel's encodings it is, with
    commas between its cells; None when it is in none of them."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        for encoding in CSV_ENCODINGS:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            return None
    first_line = text.split("\n", 1)[0]
    if "\t" in first_line and "," not in first_line:
        rows = csv.reader(io.StringIO(text), delimiter="\t")
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        text = out.getvalue()
    return text


class SmallFileImportForm(ImportForm):
    command = ""
    required_headers = ()

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.ADMIN_IMPORT_MAX_BYTES
        use_command = f"python manage.py {self.command} 檔案.xlsx"
        if upload.size > limit:
            raise ValidationError(
                f"檔案有 {filesizeformat(upload.size)}，超過後台匯入上限 "
                f"{filesizeformat(limit)}。大檔請由主機執行：{use_command}"
            )
        data = upload.read()
        upload.seek(0)
        if not zipfile.is_zipfile(io.BytesIO(data)):
            text = csv_text(data)
            if text is None:
                raise ValidationError(
                    "無法辨認這個 CSV 檔的文字編碼；"
                    "請在 Excel 另存為「CSV UTF-8」後再匯入"
                )
            # Read on as UTF-8, the admin's encoding, whatever Excel wrote.
            upload = SimpleUploadedFile(
                upload.name, text.encode("utf-8-sig"), upload.content_type
            )
            self.cleaned_data["import_file"] = upload
            data = text
        try:
            headers = first_row(data)
        except Exception:  # whatever breaks the reading, the answer is the same
            raise ValidationError("無法讀取這個檔案；請上傳 xlsx 或 csv 檔") from None
        missing = [name for name in self.required_headers if name not in headers]
        if missing:
            raise ValidationError(
                f"檔案第一列缺少「{'、'.join(missing)}」欄。後台匯入的格式與匯出相同；"
                f"若是舊系統匯出的原始檔，請由主機執行：{use_command}"
            )
        return upload


class TextSafeXLSX(XLSX):
    """xlsx whose text that looks like a formula (a customer named "=1+1")
    is written as that text, never as a formula Excel would run."""

    def export_data(self, dataset, **kwargs):
        out = io.BytesIO()
        write_workbook(out, dataset.title or "Sheet1", dataset.headers, dataset)
        return out.getvalue()


class SmallFileImportAdmin(ImportExportModelAdmin):
    """Import and export in xlsx and csv; big files go to a management command."""

    formats = [TextSafeXLSX, CSV]
    # With a byte-order mark, Excel in Taiwan opens the CSV as UTF-8.
    to_encoding = "utf-8-sig"
    from_encoding = "utf-8-sig"
    import_command = ""
    import_headers = ()

    def get_import_form_class(self, request):
        return type(
            "SmallFileImportForm",
            (SmallFileImportForm,),
            {"command": self.import_command, "required_headers": self.import_headers},
        )
