import datetime as dt
import re

from django import forms

from customers.models import Area
from luckygas.dates import ROC_OFFSET
from luckygas.forms import LAST_YEAR, BootstrapMixin, RocDateField

# 115/12, 115-12, 115年12月, 2026/12; or digits only: 11512 (ROC), 202612.
_MONTH = re.compile(r"^(\d{2,4})\s*[/.\-年]\s*(\d{1,2})\s*月?$|^(\d{2,4})(\d{2})$")


def to_roc_month(month):
    """2026-12-01 -> '115/12'."""
    return f"{month.year - ROC_OFFSET:03d}/{month.month:02d}"


class RocMonthInput(forms.TextInput):
    def format_value(self, value):
        if hasattr(value, "year"):
            return to_roc_month(value)
        return value


class RocMonthField(forms.Field):
    """A month as the office writes it: 115/12, 115年12月, or 2026-12."""

    widget = RocMonthInput(attrs={"placeholder": "115/12", "inputmode": "numeric"})

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = _MONTH.match(value)
        if not match:
            raise forms.ValidationError(
                f"「{value}」不是月份（請用 115/12 或 2026-12）", code="invalid"
            )
        year, month = (int(part) for part in match.groups() if part is not None)
        if year < 1000:
            year += ROC_OFFSET
        if not 1 <= month <= 12 or not ROC_OFFSET < year <= LAST_YEAR:
            raise forms.ValidationError(f"「{value}」不是有效的月份", code="invalid")
        return dt.date(year, month, 1)


class DayForm(BootstrapMixin, forms.Form):
    day = RocDateField(label="日期", required=False)


class MonthForm(BootstrapMixin, forms.Form):
    month = RocMonthField(label="月份", required=False)


class ConsumptionForm(BootstrapMixin, forms.Form):
    area = forms.ModelChoiceField(
        label="區域",
        queryset=Area.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="全部區域",
        error_messages={"invalid_choice": "沒有「%(value)s」這個區域"},
    )
    everyone = forms.BooleanField(
        label="含僅見於配送紀錄的客戶（家庭、零星客戶）",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput)


class StatementForm(BootstrapMixin, forms.Form):
    customer = forms.CharField(label="客戶代碼", max_length=10, required=False)
    month = RocMonthField(label="月份", required=False)
