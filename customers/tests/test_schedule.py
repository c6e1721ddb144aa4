import datetime as dt

import pytest

from customers.models import Customer
from customers.schedule import closed_reason, next_open_day

SATURDAY = dt.date(2025, 5, 24)
NATIONAL_DAY = dt.date(2025, 10, 10)


def customer(**rules):
    return Customer(code="1984845", **rules)


@pytest.mark.parametrize(
    ("rules", "day", "reason"),
    [
        ({"closed_weekdays": "67"}, SATURDAY, "公休（星期六）"),
        ({"closed_weekdays": "67"}, dt.date(2025, 5, 25), "公休（星期日）"),
        ({"closed_weekdays": "67"}, dt.date(2025, 5, 26), ""),
        (
            {"closed_on_public_holidays": True},
            dt.date(2025, 10, 10),
            "見紅休（國慶日）",
        ),
        ({"closed_on_public_holidays": True}, dt.date(2025, 10, 9), ""),
        ({"closed_month_days": "10,20,30"}, dt.date(2025, 5, 20), "每月 20 日公休"),
        ({"closed_month_days": "10,20,30"}, dt.date(2025, 5, 2), ""),
        # Lunar 2026-01-01 is 2026-02-17; lunar 2026-01-15 is 2026-03-03.
        ({"closed_lunar_days": "1,15"}, dt.date(2026, 2, 17), "農曆初一公休"),
        ({"closed_lunar_days": "1,15"}, dt.date(2026, 3, 3), "農曆十五公休"),
        ({"closed_lunar_days": "1,15"}, dt.date(2026, 3, 4), ""),
    ],
)
def test_the_closed_day_rules_say_why_a_day_is_closed(rules, day, reason):
    assert closed_reason(customer(**rules), day) == reason


def test_the_next_open_day_skips_a_closed_weekend():
    friday = dt.date(2025, 5, 23)
    assert next_open_day(customer(closed_weekdays="67"), friday) == dt.date(2025, 5, 26)


def test_the_next_open_day_is_tomorrow_for_a_customer_never_closed():
    assert next_open_day(customer(), SATURDAY) == SATURDAY + dt.timedelta(days=1)


def test_the_next_open_day_skips_public_holidays_for_red_customers():
    # 2026-02-14 is a Saturday; the Lunar New Year holidays run to 2026-02-22.
    red = customer(closed_on_public_holidays=True, closed_weekdays="7")
    assert next_open_day(red, dt.date(2026, 2, 13)) == dt.date(2026, 2, 14)
    assert next_open_day(red, dt.date(2026, 2, 14)) == dt.date(2026, 2, 21)
