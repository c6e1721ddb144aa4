import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from luckygas import dates
from luckygas.dates import DateParseError, parse_date, to_roc, to_roc_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1140521, dt.date(2025, 5, 21)),
        (1140521.0, dt.date(2025, 5, 21)),
        ("1140521", dt.date(2025, 5, 21)),
        (1100102, dt.date(2021, 1, 2)),
        (991231, dt.date(2010, 12, 31)),
        ("991231", dt.date(2010, 12, 31)),
        ("114/05/21", dt.date(2025, 5, 21)),
        ("114.5.21", dt.date(2025, 5, 21)),
        ("2025-05-21", dt.date(2025, 5, 21)),
        ("2025/5/21", dt.date(2025, 5, 21)),
        (20250521, dt.date(2025, 5, 21)),
        (45798, dt.date(2025, 5, 21)),
        ("45798", dt.date(2025, 5, 21)),
        (dt.datetime(2025, 5, 21, 9, 30), dt.date(2025, 5, 21)),
        (dt.date(2025, 5, 21), dt.date(2025, 5, 21)),
    ],
)
def test_it_reads_the_date_layouts_of_the_exports(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "  ", "1141321", "1140230", 12, "昨天", 1140521.5, -5, True, 19000101],
)
def test_it_refuses_what_is_not_a_date_with_a_reason(value):
    with pytest.raises(DateParseError) as error:
        parse_date(value)
    assert str(error.value)


def test_it_writes_roc_dates_the_way_the_office_reads_them():
    assert to_roc(dt.date(2025, 5, 21)) == "114/05/21"
    assert to_roc(dt.date(2010, 12, 31)) == "099/12/31"
    assert to_roc_number(dt.date(2025, 5, 21)) == 1140521


def test_the_roc_filter_shows_dates_and_leaves_blanks_blank():
    template = Template("[{{ day|roc }}][{{ missing|roc }}]")
    rendered = template.render(Context({"day": dt.date(2025, 5, 21), "missing": None}))
    assert rendered == "[114/05/21][]"


def test_today_is_the_taipei_day_even_before_eight_in_the_morning(monkeypatch):
    # 2025-05-21 07:30 in Taipei is still 2025-05-20 in UTC.
    taipei_morning = dt.datetime(2025, 5, 21, 7, 30, tzinfo=ZoneInfo("Asia/Taipei"))
    monkeypatch.setattr(dates.timezone, "now", lambda: taipei_morning)
    assert dates.today() == dt.date(2025, 5, 21)


def test_the_reason_quotes_the_value_as_the_office_typed_it():
    with pytest.raises(DateParseError, match="「1140230」不是有效的日期"):
        parse_date(1140230.0)
    with pytest.raises(DateParseError, match="「19000101」早於民國元年"):
        parse_date(19000101)


def test_a_long_run_of_digits_is_no_date_and_no_crash():
    with pytest.raises(DateParseError, match="不是日期"):
        parse_date("1" * 5000)
