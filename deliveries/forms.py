from django import forms

from customers.forms import area_filter_field
from deliveries.models import Order
from luckygas.dates import to_roc, today
from luckygas.forms import BootstrapMixin, RocDateField
from routing.models import Driver

MAX_QUANTITY = 99


class OrderForm(BootstrapMixin, forms.ModelForm):
    """A phone order: a quantity per product, the day, the slot and a note."""

    requested_date = RocDateField(label="配送日")
    token = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = Order
        fields = ["requested_date", "time_slot", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = products
        current = {}
        if self.instance.pk:
            current = {
                item.product_id: item.quantity for item in self.instance.items.all()
            }
        for product in products:
            self.fields[self.quantity_field(product)] = forms.IntegerField(
                label=product.name,
                min_value=0,
                max_value=MAX_QUANTITY,
                required=False,
                initial=current.get(product.id),
                widget=forms.NumberInput(attrs={"class": "form-control", "min": 0}),
            )

    @staticmethod
    def quantity_field(product):
        return f"quantity_{product.code}"

    def quantity_fields(self):
        return [self[self.quantity_field(product)] for product in self.products]

    def clean_requested_date(self):
        day = self.cleaned_data["requested_date"]
        if day < today() and "requested_date" in self.changed_data:
            raise forms.ValidationError(f"配送日不能早於今天（{to_roc(today())}）")
        return day

    def clean(self):
        cleaned = super().clean()
        self.quantities = {
            product: cleaned.get(self.quantity_field(product))
            for product in self.products
            if cleaned.get(self.quantity_field(product))
        }
        if not self.quantities and not self.errors:
            raise forms.ValidationError("請至少填一項產品的數量")
        return cleaned


class CancelOrderForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label="取消原因",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "例如：客戶改天再叫、重複下單"}),
    )


class OrderListForm(BootstrapMixin, forms.Form):
    day = RocDateField(label="配送日", required=False)
    status = forms.ChoiceField(
        label="狀態", choices=[("", "全部")] + Order.Status.choices, required=False
    )


class HistoryFilterForm(BootstrapMixin, forms.Form):
    date_from = RocDateField(label="起日", required=False)
    date_to = RocDateField(label="迄日", required=False)
    area = area_filter_field()
    driver = forms.ModelChoiceField(
        label="司機",
        queryset=Driver.objects.all(),
        required=False,
        empty_label="全部司機",
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("起日晚於迄日")
        return cleaned
