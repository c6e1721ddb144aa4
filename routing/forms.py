from django import forms

from customers.models import Area, Customer
from luckygas.dates import to_roc
from luckygas.forms import BootstrapMixin, RocDateField


class DueListForm(BootstrapMixin, forms.Form):
    day = RocDateField(label="配送日", required=False)
    group = forms.ChoiceField(
        label="區塊", choices=[("", "全部")] + Area.Group.choices, required=False
    )
    vehicle = forms.TypedChoiceField(
        label="車種",
        choices=[
            ("", "全部"),
            (Customer.Vehicle.CAR, "汽車可送"),
            (Customer.Vehicle.MOTORCYCLE, "機車可送"),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )


class PostponeForm(BootstrapMixin, forms.Form):
    customer = forms.CharField(widget=forms.HiddenInput)
    order = forms.IntegerField(widget=forms.HiddenInput, required=False)
    day = RocDateField(widget=forms.HiddenInput)
    to_date = RocDateField(label="延至")
    reason = forms.CharField(
        label="原因",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "例如：店休到週三"}),
    )

    def clean(self):
        cleaned = super().clean()
        day, to_date = cleaned.get("day"), cleaned.get("to_date")
        if day and to_date and to_date <= day:
            raise forms.ValidationError(f"延後的日期要晚於 {to_roc(day)}")
        return cleaned
