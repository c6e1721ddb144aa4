"""Readers for the kinds of value the client list holds, messy ones included."""

import math
import re
import unicodedata
from dataclasses import dataclass, field

from luckygas.dates import is_digits
from luckygas.importing import CellError, cell_text

MAX_CODE_DIGITS = 10
# The largest count the database keeps in a small integer column.
MAX_COUNT = 32767

EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"}

YES = {"V", "v", "Ｖ", "✓", "✔"}
NO = {"X", "x", "Ｘ", "✗"}


def parse_code(value):
    """The customer code as text of at least 7 digits.

    Excel keeps codes as numbers and drops their leading zeros, so any code
    shorter than 7 digits is padded, typed as a number or as text alike.
    """
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("客戶代碼不是整數")
        value = int(value)
    text = unicodedata.normalize("NFKC", cell_text(value))
    if not text:
        raise CellError("客戶代碼是空白的")
    if not is_digits(text):
        raise CellError("客戶代碼只能有數字")
    if len(text) > MAX_CODE_DIGITS:
        raise CellError(f"客戶代碼超過 {MAX_CODE_DIGITS} 碼")
    if not text.strip("0"):
        raise CellError("客戶代碼不能全為 0")
    return text.zfill(7)


def parse_number(value):
    """A figure, or None for a blank cell or an Excel error such as #DIV/0!."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = cell_text(value).replace(",", "")
        if not text or text in EXCEL_ERRORS:
            return None
        try:
            number = float(text)
        except ValueError:
            raise CellError("不是數字") from None
    if not math.isfinite(number):
        raise CellError("不是有限的數字")
    return number


def parse_count(value):
    """A whole, non-negative count, or None for a blank cell."""
    number = parse_number(value)
    if number is None:
        return None
    if not number.is_integer() or number < 0:
        raise CellError("數量應為不小於 0 的整數")
    if number > MAX_COUNT:
        raise CellError(f"數量超過 {MAX_COUNT}")
    return int(number)


def parse_flag(value):
    """V is yes, X an explicit no, blank unknown; other text is a yes with a note."""
    text = cell_text(value)
    if not text:
        return None, ""
    if text in YES or text == "1":
        return True, ""
    if text in NO or text == "0":
        return False, ""
    return True, text


_TERM = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:kg|KG|公斤)?\s*[*×xX＊]\s*(\d+)$")


def parse_cylinder_expression(value):
    """'20*5+16*1' -> {'20': 5, '16': 1}; blank -> None."""
    text = cell_text(value)
    if not text:
        return None
    counts = {}
    for term in re.split(r"[+＋]", text):
        match = _TERM.match(term.strip())
        if not match:
            raise CellError("鋼瓶數量應寫成「公斤*數量」，以 + 相連，例如 20*5+16*1")
        size = cell_text(float(match.group(1)))
        counts[size] = counts.get(size, 0) + int(match.group(2))
    return counts


def parse_spare_cylinders(value):
    """A count (1) or an expression ('20*1'): the text and the total count."""
    text = cell_text(value)
    if not text:
        return "", None
    if is_digits(text):
        return text, int(text)
    return text, sum(parse_cylinder_expression(text).values())


def parse_area_letter(value, known_letters):
    """'H-鹿野縣' -> 'H': the letter is the key, the name may hold typos."""
    text = cell_text(value)
    if not text:
        return None
    letter = text[0].upper()
    second = text[1:2]
    if letter not in known_letters or (second.isascii() and second.isalpha()):
        raise CellError(f"找不到區域代號「{text[0]}」（應為 A–M 或 Y 開頭，如 A-瑞光）")
    return letter


def parse_choice(value, choices):
    """Map a cell to one of the choices by its text; blank -> ''."""
    text = cell_text(value)
    if not text:
        return ""
    if text not in choices:
        raise CellError(f"不是可接受的值（可用：{'、'.join(choices)}）")
    return choices[text]


def parse_hour(value):
    """An hourly availability cell: 1 open, blank or 0 closed."""
    text = cell_text(value)
    if text in ("", "0"):
        return False
    if text in ("1", *YES):
        return True
    raise CellError("營業時段欄應為 1 或空白")


def closed_days_text(value):
    """The closed-days cell as typed; Excel's 2.2999999999999998 reads as 2.3."""
    if isinstance(value, float):
        return format(value, ".10g")
    return cell_text(value)


@dataclass
class ClosedDays:
    """The closed-days rules of a customer, read from the 公休日 cell."""

    text: str = ""
    weekdays: set = field(default_factory=set)
    public_holidays: bool = False
    lunar_days: set = field(default_factory=set)
    month_days: set = field(default_factory=set)
    unparsed: list = field(default_factory=list)


_PARENTHESES = re.compile(r"[(（]([^)）]*)[)）]")
_HOLIDAY_WORDS = re.compile(r"見紅休|見紅|國定假日|red", re.IGNORECASE)
_LUNAR_WORDS = [("初一十五", {1, 15}), ("初一", {1}), ("十五", {15})]


def _read_lunar(text, rules):
    for word, days in _LUNAR_WORDS:
        if word in text:
            rules.lunar_days |= days
            text = text.replace(word, " ")
    return text


def parse_closed_days(value):
    """'6.7' Saturday and Sunday; 'Red' public holidays; '10.20.30' days of month.

    Parts it cannot read ('(14)' in '6.7(14)') are kept in `unparsed` for a
    person to check.
    """
    rules = ClosedDays(text=closed_days_text(value))
    if not rules.text:
        return rules

    rest = rules.text
    for note in _PARENTHESES.findall(rest):
        leftover = _read_lunar(note, rules).strip()
        if leftover:
            rules.unparsed.append(f"({leftover})")
    rest = _PARENTHESES.sub(" ", rest)

    if _HOLIDAY_WORDS.search(rest):
        rules.public_holidays = True
        rest = _HOLIDAY_WORDS.sub(" ", rest)
    rest = _read_lunar(rest, rules)

    numbers = []
    for token in re.split(r"[.,、，/\s]+", rest):
        if not token:
            continue
        if is_digits(token):
            numbers.append(int(token))
        else:
            rules.unparsed.append(token)

    if numbers and all(1 <= number <= 7 for number in numbers):
        rules.weekdays = set(numbers)
    elif numbers and all(1 <= number <= 31 for number in numbers):
        rules.month_days = set(numbers)
    elif numbers:
        rules.unparsed.append(".".join(str(number) for number in numbers))
    return rules
