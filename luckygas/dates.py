"""ROC (民國) dates as the company's exports write them, and the Taipei day."""

import datetime as dt
import math
import re

from django.utils import timezone

ROC_OFFSET = 1911
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial day numbers from 1954 to 2119; smaller numbers are not dates here.
EXCEL_SERIALS = (20000, 80000)

_ROC_TEXT = re.compile(r"^(\d{2,3})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_GREGORIAN_TEXT = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")


def is_digits(text):
    """Only the digits 0 to 9: str.isdigit() also takes '²' and '①', which
    int() refuses."""
    return text.isascii() and text.isdigit()


class DateParseError(ValueError):
    """A value that is not a date in any of the layouts the office uses."""


def today():
    """The business day in Asia/Taipei, whatever the server's clock zone."""
    return timezone.localdate()


def to_roc(day):
    """2025-05-21 -> '114/05/21'."""
    return f"{day.year - ROC_OFFSET:03d}/{day.month:02d}/{day.day:02d}"


def to_roc_number(day):
    """2025-05-21 -> 1140521, the integer the old system exports."""
    return (day.year - ROC_OFFSET) * 10000 + day.month * 100 + day.day


def _from_parts(year, month, day, original):
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise DateParseError(f"「{original}」不是有效的日期") from None
    if year <= ROC_OFFSET:
        raise DateParseError(f"「{original}」早於民國元年")
    return date


def _from_number(number, original):
    """6 or 7 digits are ROC, 8 are yyyymmdd, 5 are an Excel serial day."""
    digits = str(number)
    if EXCEL_SERIALS[0] <= number <= EXCEL_SERIALS[1]:
        return EXCEL_EPOCH + dt.timedelta(days=number)
    if len(digits) in (6, 7):
        year = int(digits[:-4]) + ROC_OFFSET
        return _from_parts(year, int(digits[-4:-2]), int(digits[-2:]), original)
    if len(digits) == 8:
        return _from_parts(int(digits[:4]), int(digits[4:6]), int(digits[6:]), original)
    raise DateParseError(f"「{original}」不是民國年月日（例如 1140521）")


def parse_date(value):
    """Read a date from a cell or a form: ROC, ISO, yyyy/mm/dd or Excel serial.

    Numbers of 6 or 7 digits are ROC (991231, 1140521); 8 digits are
    yyyymmdd; five-digit numbers from 20000 to 80000 are Excel serial days.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None:
        raise DateParseError("日期是空白的")
    if isinstance(value, bool):
        raise DateParseError(f"「{value}」不是日期")

    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value != int(value) or value <= 0:
            raise DateParseError(f"「{value}」不是日期")
        return _from_number(int(value), int(value))

    text = str(value).strip()
    if not text:
        raise DateParseError("日期是空白的")
    if text.endswith(".0"):
        text = text[:-2]
    if is_digits(text):
        if len(text) > 8:
            raise DateParseError(f"「{text[:12]}…」不是日期")
        return _from_number(int(text), text)
    if match := _GREGORIAN_TEXT.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _from_parts(year, month, day, text)
    if match := _ROC_TEXT.match(text):
        year, month, day = (int(part) for part in match.groups())
        return _from_parts(year + ROC_OFFSET, month, day, text)
    raise DateParseError(f"「{text}」不是日期（請用 114/05/21、1140521 或 2025-05-21）")
