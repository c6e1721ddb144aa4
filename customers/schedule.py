"""When a customer is closed, by the rules read from their 公休日 cell."""

import datetime as dt
from functools import lru_cache

import holidays
from lunardate import LunarDate

from customers.models import LUNAR_DAY_NAMES, WEEKDAY_NAMES
from luckygas.caching import get_or_compute


def numbers(text):
    """'10,20,30' -> {10, 20, 30}."""
    return {int(number) for number in text.split(",") if number}


# Far enough to pass any run of closed days the sheet can express.
SEARCH_DAYS = 62


@lru_cache(maxsize=16)
def public_holidays(year):
    """Taiwan's public holidays and their make-up days off, in Chinese."""
    return holidays.Taiwan(years=year, language="zh_TW")


def holiday_name(day):
    return public_holidays(day.year).get(day)


@lru_cache(maxsize=512)
def lunar_day(day):
    """The day of the lunar month `day` falls on (1 to 30)."""
    return LunarDate.from_solar_date(day.year, day.month, day.day).day


def closed_reason(customer, day):
    """Why the customer is closed on `day`, in Chinese, or '' when open."""
    if str(day.isoweekday()) in customer.closed_weekdays:
        return f"公休（星期{WEEKDAY_NAMES[day.isoweekday()]}）"
    if customer.closed_on_public_holidays and (name := holiday_name(day)):
        return f"見紅休（{name}）"
    if day.day in numbers(customer.closed_month_days):
        return f"每月 {day.day} 日公休"
    if customer.closed_lunar_days:
        lunar = lunar_day(day)
        if lunar in numbers(customer.closed_lunar_days):
            return f"農曆{LUNAR_DAY_NAMES[str(lunar)]}公休"
    return ""


def next_open_day(customer, after):
    """The first day after `after` the customer is open (or `after` + 1 if none)."""
    for offset in range(1, SEARCH_DAYS):
        day = after + dt.timedelta(days=offset)
        if not closed_reason(customer, day):
            return day
    return after + dt.timedelta(days=1)


def week_ahead(customer, start):
    """Seven days from `start`, each with its weekday and why it is closed, if it is."""
    days = [start + dt.timedelta(days=offset) for offset in range(7)]
    return [
        {
            "day": day,
            "weekday": WEEKDAY_NAMES[day.isoweekday()],
            "closed": closed_reason(customer, day),
        }
        for day in days
    ]


# How long a customer's week stays in the cache; an edit replaces it at once.
WEEK_CACHE_SECONDS = 6 * 60 * 60


def cached_week_ahead(customer, start):
    """week_ahead from the cache, under a key of the customer's last change:
    once an edit commits, its new time makes a new key, so no one sees the
    week as it was before the change."""
    changed = customer.updated_at.timestamp() if customer.updated_at else 0
    key = f"customer-week:{customer.pk}:{changed}:{start.isoformat()}"
    return get_or_compute(key, lambda: week_ahead(customer, start), WEEK_CACHE_SECONDS)
