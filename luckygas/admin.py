"""What the apps' admins share: small-file imports and Chinese column names."""

import csv
import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from import_export import resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm
from openpyxl import load_workbook


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


def first_row(upload):
    """The header cells of an uploaded xlsx or csv file, as text."""
    data = upload.read()
    upload.seek(0)
    if zipfile.is_zipfile(io.BytesIO(data)):
        book = load_workbook(io.BytesIO(data), read_only=True)
        sheet = book.worksheets[0]
        row = next(sheet.iter_rows(max_row=1, values_only=True), ())
        book.close()
        return [str(cell).strip() for cell in row if cell is not None]
    text = data.decode("utf-8-sig", errors="replace")
    return [cell.strip() for cell in next(csv.reader(io.StringIO(text)), [])]


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
        try:
            headers = first_row(upload)
        except Exception:  # whatever breaks the reading, the answer is the same
            raise ValidationError("無法讀取這個檔案；請上傳 xlsx 或 csv 檔") from None
        missing = [name for name in self.required_headers if name not in headers]
        if missing:
            raise ValidationError(
                f"檔案第一列缺少「{'、'.join(missing)}」欄。後台匯入的格式與匯出相同；"
                f"若是舊系統匯出的原始檔，請由主機執行：{use_command}"
            )
        return upload


class SmallFileImportAdmin(ImportExportModelAdmin):
    """Import and export in xlsx and csv; big files go to a management command."""

    formats = [XLSX, CSV]
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
