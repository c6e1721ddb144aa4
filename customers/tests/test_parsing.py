import pytest

from customers import parsing
from luckygas.importing import CellError, cell_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("V", (True, "")),
        ("X", (False, "")),
        (None, (None, "")),
        ("", (None, "")),
        (" V ", (True, "")),
        ("夜市", (True, "夜市")),
        ("餐車\u00a0", (True, "餐車")),
    ],
)
def test_flags_keep_yes_explicit_no_blank_and_free_text_apart(value, expected):
    assert parsing.parse_flag(value) == expected


@pytest.mark.parametrize(
    ("value", "weekdays", "holidays", "lunar", "month_days", "unparsed"),
    [
        (6.7, {6, 7}, False, set(), set(), []),
        ("6.7", {6, 7}, False, set(), set(), []),
        (2.3, {2, 3}, False, set(), set(), []),
        (2.2999999999999998, {2, 3}, False, set(), set(), []),
        (7.0, {7}, False, set(), set(), []),
        ("1.2.3", {1, 2, 3}, False, set(), set(), []),
        ("Red", set(), True, set(), set(), []),
        ("見紅休", set(), True, set(), set(), []),
        ("7(初一十五)", {7}, False, {1, 15}, set(), []),
        ("初一十五", set(), False, {1, 15}, set(), []),
        ("10.20.30", set(), False, set(), {10, 20, 30}, []),
        ("6.7(14)", {6, 7}, False, set(), set(), ["(14)"]),
        ("看心情", set(), False, set(), set(), ["看心情"]),
    ],
)
def test_closed_days_parse_into_rules(
    value, weekdays, holidays, lunar, month_days, unparsed
):
    rules = parsing.parse_closed_days(value)
    assert rules.weekdays == weekdays
    assert rules.public_holidays is holidays
    assert rules.lunar_days == lunar
    assert rules.month_days == month_days
    assert rules.unparsed == unparsed


def test_closed_days_keep_the_text_as_the_office_typed_it():
    assert parsing.parse_closed_days(2.2999999999999998).text == "2.3"
    assert parsing.parse_closed_days(7.0).text == "7"
    assert parsing.parse_closed_days("6.7(14)").text == "6.7(14)"
    assert parsing.parse_closed_days(None).text == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20*5+16*1", {"20": 5, "16": 1}),
        (" 20 * 5 + 16*1 ", {"20": 5, "16": 1}),
        ("20*1", {"20": 1}),
        ("50KG*2", {"50": 2}),
        ("20*1+20*2", {"20": 3}),
        (None, None),
    ],
)
def test_cylinder_expressions_are_counted_per_size(value, expected):
    assert parsing.parse_cylinder_expression(value) == expected


@pytest.mark.parametrize("value", ["二十瓶", "20*", "20+16", "*5"])
def test_a_bad_cylinder_expression_is_refused(value):
    with pytest.raises(CellError):
        parsing.parse_cylinder_expression(value)


def test_spare_cylinders_take_a_count_or_an_expression():
    assert parsing.parse_spare_cylinders(1.0) == ("1", 1)
    assert parsing.parse_spare_cylinders("20*1") == ("20*1", 1)
    assert parsing.parse_spare_cylinders("20*2+16*1") == ("20*2+16*1", 3)
    assert parsing.parse_spare_cylinders(None) == ("", None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("H-鹿野縣", "H"),
        ("H-鹿野線", "H"),
        ("F-成功縣", "F"),
        ("a-瑞光", "A"),
        (None, None),
    ],
)
def test_areas_are_known_by_their_letter_whatever_the_name(value, expected):
    assert parsing.parse_area_letter(value, {"A", "F", "H"}) == expected


@pytest.mark.parametrize("value", ["Z-月球", "瑞光", "Abc"])
def test_an_unknown_area_is_refused(value):
    with pytest.raises(CellError):
        parsing.parse_area_letter(value, {"A", "F", "H"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(11.52, 11.52), ("3.5", 3.5), ("#DIV/0!", None), (None, None), ("", None)],
)
def test_figures_read_excel_errors_as_no_value(value, expected):
    assert parsing.parse_number(value) == expected


@pytest.mark.parametrize("value", ["很多", "nan", "inf", float("inf")])
def test_a_figure_that_is_not_a_finite_number_is_refused(value):
    with pytest.raises(CellError):
        parsing.parse_number(value)


def test_a_count_too_large_for_the_database_is_refused():
    assert parsing.parse_count(32767) == 32767
    with pytest.raises(CellError, match="數量超過 32767"):
        parsing.parse_count(40000)


def test_text_loses_trailing_and_non_breaking_spaces():
    assert cell_text("自動切替器KA32AK\u00a0") == "自動切替器KA32AK"
    assert cell_text("壓差開關KA30K ") == "壓差開關KA30K"
    assert cell_text("\u3000客戶\u3000") == "客戶"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1984845.0, "1984845"),
        ("1984845", "1984845"),
        (" 0012345 ", "0012345"),
        (12345, "0012345"),
        ("12345", "0012345"),
        ("１９８４８４５", "1984845"),
    ],
)
def test_customer_codes_are_text_with_their_leading_zeros(value, expected):
    assert parsing.parse_code(value) == expected


@pytest.mark.parametrize(
    "value", [None, "", "A12", 1984845.5, "12345678901", 0, "0000000"]
)
def test_a_bad_customer_code_is_refused(value):
    with pytest.raises(CellError):
        parsing.parse_code(value)
