"""Invented demo workbooks in the company's two layouts, for `seed_demo`.

Every name, address and code is made up. The client list carries the kinds of
mess the real export has, so the demo goes through the same import path and
the same parsers as the office's own files.
"""

import datetime as dt
from dataclasses import dataclass, field

from customers.exporting import client_list_headers
from customers.importing import CLIENT_LIST_HEADERS, UNNAMED_COLUMN
from customers.models import Customer
from customers.schedule import closed_reason
from deliveries.importing import HISTORY_COLUMNS
from luckygas.dates import to_roc_number
from luckygas.exporting import write_workbook
from routing.forecast import new_year_days

SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
SHOP_WORDS = ["阿美", "海風", "鯉魚", "稻香", "山城", "太平", "知本", "馬亨", "南王"]
SHOP_KINDS = ["小吃", "麵館", "早餐", "熱炒", "火鍋", "便當", "民宿", "冰店", "餐廳"]
STREETS = ["更生路", "正氣路", "傳廣路", "馬亨亨大道", "四維路", "新生路", "漢陽路"]
TOWNS = ["臺東市", "台東縣臺東市", "臺東縣卑南鄉", "台東縣成功鎮", "臺東縣池上鄉"]
TAGS = ["", "", "", "€", "￡", "●", "※"]
SUFFIXES = ["", "", "", "9點前", "14後"]
# (area text as the sheet writes it, weight); the typos are real kinds.
AREAS = [
    ("A-瑞光", 25), ("B-四維", 20), ("C-漢中", 16), ("D-東方大鎮", 10),
    ("E-力國", 6), ("Y-富岡", 3), ("M-商校商圈", 3), ("F-成功線", 3),
    ("F-成功縣", 1), ("G-都蘭線", 3), ("H-鹿野線", 2), ("H-鹿野縣", 1),
    ("I-池上線", 2), ("J-知本線", 2), ("K-東大線", 2), ("L-大武線", 2),
]  # fmt: skip
# Closed days as Excel holds them: numbers, text, and the odd note.
CLOSED_DAYS = [
    (None, 70), (7.0, 8), (6.7, 4), (1.0, 3), (2.3, 2), (2.2999999999999998, 1),
    ("Red", 2), ("見紅休", 1), ("7(初一十五)", 1), ("10.20.30", 1),
    ("6.7(14)", 1), ("1.2.3", 1),
]  # fmt: skip
SWITCHER_MODELS = [None, None, "重量發報", "壓力錶發報", "自動切替器KA32AK\u00a0"]
CYCLES = [4, 5, 7, 7, 10, 10, 14, 14, 21, 30]
PRODUCT_COLUMNS = CLIENT_LIST_HEADERS[5:21]


def _weighted(rng, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def _address(rng):
    return f"{rng.choice(TOWNS)}{rng.choice(STREETS)}{rng.randint(1, 600)}號"


@dataclass
class Habits:
    """How an invented customer really takes gas, which the sheet's figures
    only roughly describe."""

    cycle: int
    # (share of the history after which, factor): the rhythm changes once.
    change: tuple | None = None
    # {month: factor} on the intervals starting in it.
    season: dict = field(default_factory=dict)
    months_off: frozenset = frozenset()
    new_year_off: bool = False
    closed: Customer | None = None


# Kinds of shop whose rhythm follows the season: hot pot in winter, ice in summer.
SEASONS = {
    "火鍋": {12: 0.75, 1: 0.75, 2: 0.8},
    "冰店": {6: 0.7, 7: 0.65, 8: 0.7, 12: 1.4, 1: 1.5},
}
# A school's summer holiday, when it takes no gas.
SCHOOL_MONTHS_OFF = frozenset({7, 8})


def client_row(rng, code):
    """One client-list row as a dict of header -> cell value, and the habits
    the customer's history follows."""
    shop = rng.choice(SHOP_KINDS)
    title = f"{rng.choice(SHOP_WORDS)}{shop}"
    metered = rng.random() < 0.35
    cycle = rng.choice(CYCLES)
    connected = float(rng.choice([20, 40, 60, 80]))
    # Cylinders are swapped with a fifth of their gas left; the sheet's daily
    # use is an estimate, often out of date.
    daily = 0.8 * connected / cycle
    if rng.random() < 0.5:
        daily *= rng.uniform(0.6, 1.6)
    returned = float(rng.randint(0, 10))
    kind = _weighted(
        rng, [(None, 90), ("學校", 3), ("夜市", 3), ("市場", 2), ("餐車", 2)]
    )
    row = {
        "客戶": int(code),
        "電子發票抬頭": f"{title}{rng.choice(['', '有限公司', '店'])}",
        "客戶簡稱": f"{rng.choice(TAGS)}{title}{rng.choice(SUFFIXES)}",
        "地址": _address(rng),
        "20KG": float(rng.randint(1, 6)),
        "計價方式": "流量" if metered else rng.choice(["桶裝"] * 12 + ["桶裝現金"]),
        "結帳方式": _weighted(
            rng, [("現金", 50), ("月結", 47), ("收現", 2), (None, 1)]
        ),
        "訂閱式會員": "V" if rng.random() < 0.2 else None,
        "發報": "V" if rng.random() < 0.55 else None,
        "排巡": _weighted(
            rng, [("V", 85), (None, 7), ("X", 5), ("夜市", 2), ("餐車", 1)]
        ),
        "已解約": "V" if rng.random() < 0.01 else None,
        "時段早1午2晚3全天0": float(rng.choice([0, 1, 1, 2, 3])),
        "公休日": _weighted(rng, CLOSED_DAYS),
        "切替器型號": rng.choice(SWITCHER_MODELS),
        "月配送量": round(daily * 30 + returned, 1),
        "退氣": returned,
        "實際購買公斤數": round(daily * 30, 1),
        "退氣比例": round(returned / (daily * 30 + returned), 4),
        "平均日使用": round(daily, 4),
        "串接數量": connected,
        "備用量": connected,
        "最大週期": round(connected / daily, 2),
        "可延後天數": float(max(cycle // 3, 1)),
        "是否需要當天去": round(rng.uniform(-3, 15), 2),
        "區域": _weighted(rng, AREAS),
        "1汽車/2機車/0全部": float(rng.choice([1, 1, 2, 0])),
        "單一區域供應": float(rng.randint(1, 3)),
        "預備桶": rng.choice([None, None, 1, "20*1"]),
        "智慧秤": 1.0 if rng.random() < 0.15 else None,
        "類型": kind,
    }
    if rng.random() < 0.04:
        row["退氣比例"] = "#DIV/0!"
        row["最大週期"] = row["可延後天數"] = "#DIV/0!"
    elif rng.random() < 0.06:
        row["最大週期"] = None
    if rng.random() < 0.2:
        row[rng.choice(PRODUCT_COLUMNS)] = float(rng.randint(1, 4))
    if rng.random() < 0.1:
        row["系統上鋼瓶數量"] = f"20*{rng.randint(2, 8)}+16*{rng.randint(1, 2)}"
    if metered:
        row[rng.choice(["流量50公斤", "流量20公斤"])] = float(rng.randint(1, 6))
        row["流量表"] = rng.choice([1.0, "客戶自有"])
        row[UNNAMED_COLUMN] = 1.0 if rng.random() < 0.3 else None
    opens = rng.randint(0, 4)
    for hour in range(8 + opens, 8 + rng.randint(opens + 4, 11) + 1):
        row[f"{hour}~{hour + 1}"] = 1.0
    habits = Habits(
        cycle,
        change=(rng.uniform(0.3, 0.9), rng.choice([0.6, 0.75, 1.35, 1.6]))
        if rng.random() < 0.3
        else None,
        season=SEASONS.get(shop, {}),
        months_off=SCHOOL_MONTHS_OFF if kind == "學校" else frozenset(),
        new_year_off=rng.random() < 0.3,
    )
    if row["公休日"] is not None:
        habits.closed = Customer()
        habits.closed.set_closed_days(row["公休日"])
    return row, habits


def write_client_list(path, rows):
    write_workbook(
        path,
        "客戶資料",
        client_list_headers(),
        ([row.get(name) for name in CLIENT_LIST_HEADERS] for row in rows),
        extra_sheets=[("延後名單", ["編號", "客戶名稱", "客戶編號", "簡稱", "地址"])],
    )


def write_history(path, deliveries):
    """deliveries: (code, title, short name, address, date) in any order."""
    write_workbook(
        path,
        "Sheet1",
        HISTORY_COLUMNS,
        (
            [int(code), title, short_name, address, to_roc_number(day)]
            for code, title, short_name, address, day in deliveries
        ),
    )


def _visits(rng, cycle, start, end):
    """Delivery dates every `cycle` days or so, drifting as real customers do."""
    day = start + dt.timedelta(days=rng.randrange(max(cycle, 1)))
    while day <= end:
        yield day
        day += dt.timedelta(days=max(1, round(rng.gauss(cycle, cycle / 5))))


def _client_visits(rng, habits, start, end):
    """A client's delivery dates: their rhythm, its one change, their season,
    an odd closure, and never on a day they are closed."""
    changes_on = start + (end - start) * habits.change[0] if habits.change else None
    day = start + dt.timedelta(days=rng.randrange(habits.cycle))
    while day <= end:
        day = _open_from(habits, day)
        if day > end:
            return
        yield day
        cycle = habits.cycle
        if changes_on and day >= changes_on:
            cycle *= habits.change[1]
        cycle *= habits.season.get(day.month, 1)
        if rng.random() < 0.01:
            cycle += rng.randint(14, 40)
        day += dt.timedelta(days=max(1, round(rng.gauss(cycle, cycle / 6))))


def _open_from(habits, day):
    """The first day from `day` the customer takes a delivery."""
    for _ in range(120):
        closed = (
            day.month in habits.months_off
            or (habits.new_year_off and day in new_year_days(day.year))
            or (habits.closed and closed_reason(habits.closed, day))
        )
        if not closed:
            return day
        day += dt.timedelta(days=1)
    return day


def build(rng, customers, deliveries, end):
    """Client rows and history rows: `deliveries` of them, ending on `end`."""
    codes = rng.sample(range(1_400_000, 2_000_000), customers)
    clients = [client_row(rng, code) for code in codes]
    households = [
        (code, f"{rng.choice(SURNAMES)}宅", rng.choice(range(45, 120)))
        for code in rng.sample(range(1_100_000, 1_400_000), customers * 9)
    ]

    # Scale the span of history so the customers' own rhythms give the count,
    # with a little to spare: the surplus is dropped at random below.
    per_day = sum(1 / habits.cycle for _, habits in clients) + sum(
        1 / cycle for _, _, cycle in households
    )
    start = end - dt.timedelta(days=max(int(1.05 * deliveries / per_day), 1))

    history = []
    for row, habits in clients:
        names = (row["電子發票抬頭"], row["客戶簡稱"], row["地址"])
        history += [
            (row["客戶"], *names, day)
            for day in _client_visits(rng, habits, start, end)
        ]
    for code, name, cycle in households:
        address = _address(rng) if rng.random() > 0.01 else None
        history += [
            (code, name, None, address, day) for day in _visits(rng, cycle, start, end)
        ]
    rng.shuffle(history)
    return [row for row, _ in clients], history[:deliveries]
