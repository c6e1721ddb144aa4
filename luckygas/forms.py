"""Form fields the office pages share."""

from django import forms

from luckygas.dates import DateParseError, parse_date, to_roc

# No delivery, order or run is planned further ahead than this.
LAST_YEAR = 2100


class RocDateInput(forms.TextInput):
    """A text box that shows a date the ROC way: 114/05/21."""

    def format_value(self, value):
        if hasattr(value, "year"):
            return to_roc(value)
        return value


class RocDateField(forms.DateField):
    """Takes 114/05/21, 1140521 or 2025-05-21."""

    widget = RocDateInput(attrs={"placeholder": "114/05/21", "inputmode": "numeric"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            day = parse_date(value)
        except DateParseError as error:
            raise forms.ValidationError(str(error), code="invalid") from None
        if day.year > LAST_YEAR:
            raise forms.ValidationError(f"日期 {value} 太遠了", code="invalid")
        return day


class BootstrapMixin:
    """Gives a form's widgets Bootstrap's classes, for hand-laid templates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, (forms.CheckboxInput, forms.HiddenInput)):
                widget.attrs.setdefault("class", "form-control")


def query_without(request, *names):
    """The page's query string less some parameters, for links that change them."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
