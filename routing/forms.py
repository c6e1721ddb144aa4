import datetime as dt

from django import forms

from customers.models import Area, Customer
from deliveries.models import DeliveryRecord
from luckygas.dates import to_roc, today
from luckygas.forms import BootstrapMixin, RocDateField, RocDateInput
from routing.due import LONGEST_POSTPONEMENT
from routing.models import Driver, Route, Vehicle
from routing.runs import FULL_RUN


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


class HiddenRocDateInput(RocDateInput):
    input_type = "hidden"


class PostponeForm(BootstrapMixin, forms.Form):
    """A due entry put off from `day` to `to_date`: not from a day gone by,
    and not further than LONGEST_POSTPONEMENT days (a mistyped year would
    otherwise hide the customer for years)."""

    customer = forms.CharField(widget=forms.HiddenInput)
    day = RocDateField(widget=HiddenRocDateInput)
    to_date = RocDateField(label="延至")
    reason = forms.CharField(
        label="原因",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "例如：店休到週三"}),
    )
    # The due list's query string, to go back to the same page of it.
    back = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < today():
            raise forms.ValidationError(
                f"{to_roc(day)} 已經過去，只能延後今天以後的配送"
            )
        return day

    def clean(self):
        cleaned = super().clean()
        day, to_date = cleaned.get("day"), cleaned.get("to_date")
        if not (day and to_date):
            return cleaned
        problem = postponement_problem(day, to_date)
        if problem:
            self.add_error("to_date", problem)
        return cleaned


def postponement_problem(day, to_date):
    """What is wrong with putting off a delivery from `day` to `to_date`, or ''."""
    latest = day + dt.timedelta(days=LONGEST_POSTPONEMENT)
    if to_date <= day:
        return f"延後的日期要晚於 {to_roc(day)}"
    if to_date > latest:
        return (
            f"最多延後 {LONGEST_POSTPONEMENT} 天（到 {to_roc(latest)}）；"
            "客戶要停止配送請在客戶資料設定"
        )
    return ""


# Runs start at 08:00 or 13:00: a driver or a vehicle does one run a shift.
AFTERNOON = dt.time(12)


def shift(start_time):
    return "早班" if start_time < AFTERNOON else "午班"


class RouteForm(BootstrapMixin, forms.ModelForm):
    """A run's header: its name, driver, vehicle and start time."""

    start_time = forms.TimeField(
        label="出車時間",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    class Meta:
        model = Route
        fields = ["route_code", "driver", "vehicle", "start_time", "note"]
        widgets = {
            "route_code": forms.TextInput(
                attrs={"placeholder": "南早、北晚、門市車、外線", "list": "route-codes"}
            )
        }

    def __init__(self, *args, route_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.route_date = route_date or self.instance.route_date
        self.fields["driver"].queryset = Driver.objects.filter(is_active=True)
        self.fields["vehicle"].queryset = Vehicle.objects.filter(is_active=True)

    def clean_route_code(self):
        code = self.cleaned_data["route_code"].strip()
        taken = Route.objects.filter(route_date=self.route_date, route_code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                f"{to_roc(self.route_date)} 已經有「{code}」這個車次"
            )
        return code

    def clean(self):
        cleaned = super().clean()
        start_time = cleaned.get("start_time")
        if start_time is None:
            return cleaned
        same_shift = Route.objects.filter(route_date=self.route_date).exclude(
            pk=self.instance.pk
        )
        if start_time < AFTERNOON:
            same_shift = same_shift.filter(start_time__lt=AFTERNOON)
        else:
            same_shift = same_shift.filter(start_time__gte=AFTERNOON)
        for name, who in (
            ("driver", cleaned.get("driver")),
            ("vehicle", cleaned.get("vehicle")),
        ):
            busy = who and same_shift.filter(**{name: who}).first()
            if busy:
                self.add_error(
                    name, f"{who} {shift(start_time)}已經在「{busy.route_code}」"
                )
        return cleaned


class FillForm(BootstrapMixin, forms.Form):
    group = forms.ChoiceField(label="區塊", choices=Area.Group.choices)
    limit = forms.IntegerField(
        label="最多幾站",
        min_value=1,
        max_value=200,
        initial=FULL_RUN,
        required=False,
        help_text="留空則全部排入",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "style": "width:6em"}),
    )


class AddStopForm(BootstrapMixin, forms.Form):
    customer = forms.CharField(
        label="客戶代碼",
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "placeholder": "客戶代碼"}
        ),
    )

    def clean_customer(self):
        code = self.cleaned_data["customer"].strip()
        try:
            return Customer.objects.get(code=code)
        except Customer.DoesNotExist:
            raise forms.ValidationError(f"找不到客戶 {code}") from None


class MoveStopForm(forms.Form):
    route = forms.ModelChoiceField(queryset=Route.objects.none())

    def __init__(self, *args, stop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].queryset = Route.objects.filter(
            route_date=stop.route.route_date
        ).exclude(pk=stop.route_id)


MAX_CYLINDERS = 99


class StopRecordForm(BootstrapMixin, forms.Form):
    """What the driver did at a stop: cylinders out and back, cash, outcome."""

    outcome = forms.ChoiceField(
        label="結果",
        choices=DeliveryRecord.Outcome.choices,
        initial=DeliveryRecord.Outcome.DELIVERED,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    gas_returned_kg = forms.DecimalField(
        label="退氣（公斤）",
        min_value=0,
        max_value=999,
        decimal_places=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    cash_collected = forms.DecimalField(
        label="收現（元）",
        min_value=0,
        max_value=999999,
        decimal_places=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    postpone_to = RocDateField(label="延至（選「延後」時填）", required=False)
    note = forms.CharField(label="備註", max_length=200, required=False)

    def __init__(self, *args, products, expected, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.products, self.day = products, day
        for product in products:
            self.fields[f"delivered_{product.code}"] = self.count_field(
                product.name, expected.get(product.pk)
            )
            self.fields[f"empties_{product.code}"] = self.count_field(
                f"{product.name} 空瓶", None
            )

    def count_field(self, label, initial):
        return forms.IntegerField(
            label=label,
            min_value=0,
            max_value=MAX_CYLINDERS,
            required=False,
            initial=initial,
            widget=forms.NumberInput(
                attrs={"class": "form-control", "inputmode": "numeric", "min": 0}
            ),
        )

    def product_rows(self):
        """Each product with its two boxes: delivered and empties collected."""
        return [
            (
                product,
                self[f"delivered_{product.code}"],
                self[f"empties_{product.code}"],
            )
            for product in self.products
        ]

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if self.errors or not outcome:
            return cleaned
        items = {}
        if outcome == DeliveryRecord.Outcome.DELIVERED:
            # Cylinders move only when gas is delivered; otherwise the boxes
            # still hold the expected quantities the form suggested.
            for product in self.products:
                delivered = cleaned.get(f"delivered_{product.code}") or 0
                empties = cleaned.get(f"empties_{product.code}") or 0
                if delivered or empties:
                    items[product] = (delivered, empties)
            if not any(quantity for quantity, _ in items.values()):
                raise forms.ValidationError("已送達請填送達的瓶數")
        cleaned["items"] = items
        if outcome == DeliveryRecord.Outcome.POSTPONED:
            to_date = cleaned.get("postpone_to")
            if not to_date:
                self.add_error("postpone_to", "延後請填改送的日期")
            elif problem := postponement_problem(self.day, to_date):
                self.add_error("postpone_to", problem)
        return cleaned


class OdometerForm(BootstrapMixin, forms.Form):
    odometer = forms.IntegerField(
        label="里程（公里）",
        min_value=0,
        max_value=9999999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, at_least=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.at_least = at_least

    def clean_odometer(self):
        odometer = self.cleaned_data["odometer"]
        if self.at_least is not None and odometer < self.at_least:
            raise forms.ValidationError(
                f"回車里程不能小於出車里程 {self.at_least} 公里"
            )
        return odometer
