import re

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms

from customers.models import Area, Customer
from luckygas.forms import BootstrapMixin

HOUR_CHOICES = [(hour, f"{hour}~{hour + 1}") for hour in range(8, 20)]


class CustomerForm(forms.ModelForm):
    open_hours = forms.TypedMultipleChoiceField(
        label="可收貨時段",
        choices=HOUR_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.ModelChoiceField(
        label="區域",
        queryset=Area.objects.all(),
        required=False,
        empty_label="（未填）",
    )

    class Meta:
        model = Customer
        fields = [
            "code",
            "short_name",
            "invoice_title",
            "address",
            "phone",
            "area",
            "vehicle",
            "kind",
            "pricing",
            "settlement",
            "subscription_member",
            "needs_billing_file",
            "open_hours",
            "time_slot",
            "closed_days_text",
            "same_day_delivery",
            "has_alarm",
            "terminated",
        ]
        help_texts = {
            "code": "7 位數字",
            "closed_days_text": (
                "例如 6.7（星期六、日）、Red（見紅休）、7(初一十五)、10.20.30"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "基本資料",
                Row(Column("code"), Column("short_name"), Column("invoice_title")),
                Row(Column("address", css_class="col-md-8"), Column("phone")),
                Row(Column("area"), Column("vehicle"), Column("kind")),
            ),
            Fieldset(
                "計價與結帳",
                Row(Column("pricing"), Column("settlement")),
                Row(Column("subscription_member"), Column("needs_billing_file")),
            ),
            Fieldset(
                "配送時間",
                InlineCheckboxes("open_hours"),
                Row(Column("time_slot"), Column("closed_days_text")),
                Row(
                    Column("same_day_delivery"),
                    Column("has_alarm"),
                    Column("terminated"),
                ),
            ),
            Submit("save", "儲存"),
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"\d{7}", code):
            raise forms.ValidationError("客戶代碼必須是 7 位數字，例如 1984845")
        taken = Customer.objects.filter(code=code).exclude(pk=self.instance.pk).first()
        if taken:
            raise forms.ValidationError(
                f"客戶代碼 {code} 已被「{taken.display_name}」使用"
            )
        return code

    def save(self, commit=True):
        customer = super().save(commit=False)
        self.unparsed_closed_days = customer.set_closed_days(
            self.cleaned_data["closed_days_text"]
        )
        if "area" in self.changed_data:
            customer.area_text = str(customer.area) if customer.area else ""
        if commit:
            customer.save()
        return customer


def area_filter_field():
    """An optional area, chosen and sent by its letter."""
    return forms.ModelChoiceField(
        label="區域",
        queryset=Area.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="全部區域",
    )


class CustomerFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label="搜尋", required=False)
    area = area_filter_field()
    pricing = forms.ChoiceField(
        label="計價",
        choices=[("", "全部"), ("cylinder", "桶裝（含桶裝現金）"), ("flow", "流量")],
        required=False,
    )
    settlement = forms.ChoiceField(
        label="結帳",
        choices=[("", "全部")] + Customer.Settlement.choices,
        required=False,
    )
    terminated = forms.ChoiceField(
        label="解約",
        choices=[("", "全部"), ("no", "未解約"), ("yes", "已解約")],
        required=False,
    )
    origin = forms.ChoiceField(
        label="來源", choices=[("", "全部")] + Customer.Origin.choices, required=False
    )

    def filter(self, customers):
        """The customers that match the valid filters; invalid ones are ignored."""
        self.is_valid()  # an invalid field drops out of cleaned_data: no filter
        data = self.cleaned_data
        customers = customers.search(data.get("q", ""))
        if data.get("area"):
            customers = customers.filter(area=data["area"])
        if data.get("pricing") == "cylinder":
            customers = customers.exclude(pricing=Customer.Pricing.FLOW).exclude(
                pricing=""
            )
        elif data.get("pricing") == "flow":
            customers = customers.filter(pricing=Customer.Pricing.FLOW)
        if data.get("settlement"):
            customers = customers.filter(settlement=data["settlement"])
        if data.get("origin"):
            customers = customers.filter(origin=data["origin"])
        if data.get("terminated") == "yes":
            customers = customers.filter(terminated=True)
        elif data.get("terminated") == "no":
            customers = customers.active()
        return customers
