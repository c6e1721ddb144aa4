"""What the apps' admins share: small-file imports and Chinese column names."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from import_export import resources
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm


class ChineseHeadersResource(resources.ModelResource):
    """Columns are named by the fields' verbose names, as the office reads them."""

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = str(django_field.verbose_name)
        return field


class SmallFileImportForm(ImportForm):
    command = ""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.ADMIN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"檔案有 {filesizeformat(upload.size)}，超過後台匯入上限 "
                f"{filesizeformat(limit)}。大檔請由主機執行："
                f"python manage.py {self.command} 檔案.xlsx"
            )
        return upload


class SmallFileImportAdmin(ImportExportModelAdmin):
    """Import and export in xlsx and csv; big files go to a management command."""

    formats = [XLSX, CSV]
    import_command = ""

    def get_import_form_class(self, request):
        return type(
            "SmallFileImportForm",
            (SmallFileImportForm,),
            {"command": self.import_command},
        )
