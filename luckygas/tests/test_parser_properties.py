"""The parsers of the company's cells, tried on every kind of input: none of
them crashes, each refuses with its own clear error, and what they read
writes back to what was typed."""

import datetime as dt

from hypothesis import example, given
from hypothesis import strategies as st

from customers.parsing import ClosedDays, parse_closed_days, parse_cylinder_expression
from luckygas.dates import DateParseError, parse_date, to_roc, to_roc_number
from luckygas.importing import CellError

# What a cell can hold: text of any kind, numbers, dates, nothing.
CELLS = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789/.-+*×xX ()（）、，,初一十五見紅休kg公斤"),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)
# The days the office writes the ROC way: years of two and three digits (民國
# 10 to 999), so 6- and 7-digit numbers. One-digit years (1912 to 1920) read
# as five digits, which are Excel serial days or nothing.
ROC_DAYS = st.dates(min_value=dt.date(1921, 1, 1), max_value=dt.date(2910, 12, 31))


@given(CELLS)
@example("114/02/30")
@example("0000000")
@example(1e300)
@example(float("inf"))
@example(float("nan"))
@example("²")
def test_a_date_cell_is_a_date_or_a_clear_refusal(value):
    try:
        day = parse_date(value)
    except DateParseError as error:
        assert str(error)  # says what is wrong, in words
    else:
        assert isinstance(day, dt.date)


@given(ROC_DAYS)
def test_a_day_written_the_roc_way_reads_back_as_itself(day):
    assert parse_date(to_roc(day)) == day
    assert parse_date(to_roc_number(day)) == day
    assert parse_date(str(to_roc_number(day))) == day


@given(ROC_DAYS, st.sampled_from("/.-"), st.booleans())
def test_a_roc_date_as_typed_formats_back_to_what_was_typed(day, separator, padded):
    year, month, date = day.year - 1911, day.month, day.day
    parts = [f"{year:03d}", f"{month:02d}", f"{date:02d}"]
    if not padded:
        parts = [str(year), str(month), str(date)]
    typed = separator.join(parts)

    assert to_roc(parse_date(typed)) == f"{year:03d}/{month:02d}/{date:02d}"


@given(CELLS)
@example("6.7(14)")
@example("((")
@example("初一十五見紅休")
@example("²")
def test_a_closed_days_cell_is_read_or_kept_for_a_person_never_a_crash(value):
    rules = parse_closed_days(value)

    assert isinstance(rules, ClosedDays)
    assert rules.weekdays <= set(range(1, 8))
    assert rules.month_days <= set(range(1, 32))
    assert rules.lunar_days <= {1, 15}
    if not rules.text:  # a blank cell stays blank: no rule invented
        assert rules == ClosedDays()


CLOSED_WORDS = st.fixed_dictionaries(
    {
        "weekdays": st.sets(st.integers(1, 7)),
        "holidays": st.booleans(),
        "lunar": st.sampled_from(["", "初一", "十五", "初一十五"]),
        "separator": st.sampled_from([".", ",", "、", " "]),
    }
)


@given(CLOSED_WORDS)
def test_closed_days_written_as_the_office_writes_them_read_back(words):
    parts = [str(day) for day in sorted(words["weekdays"])]
    text = words["separator"].join(parts)
    if words["holidays"]:
        text += "見紅休"
    text += words["lunar"]

    rules = parse_closed_days(text)

    assert rules.text == text.strip()
    assert rules.weekdays == words["weekdays"]
    assert rules.public_holidays == words["holidays"]
    lunar = {"": set(), "初一": {1}, "十五": {15}, "初一十五": {1, 15}}
    assert rules.lunar_days == lunar[words["lunar"]]
    assert rules.unparsed == []


@given(CELLS)
@example("20*5+16*1")
@example("20**5")
@example("+")
def test_a_cylinder_expression_is_read_or_refused_clearly(value):
    try:
        counts = parse_cylinder_expression(value)
    except CellError as error:
        assert "公斤*數量" in str(error)
    else:
        assert counts is None or all(count >= 0 for count in counts.values())


SIZES = st.sampled_from(["4", "10", "16", "20", "50", "2.5"])


@given(st.dictionaries(SIZES, st.integers(0, 999), min_size=1))
def test_cylinders_written_as_size_times_count_read_back(counts):
    typed = "+".join(f"{size}*{count}" for size, count in counts.items())

    assert parse_cylinder_expression(typed) == counts
