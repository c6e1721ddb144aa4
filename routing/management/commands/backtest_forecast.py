import argparse
import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from customers.models import Customer
from luckygas.dates import DateParseError, parse_date, to_roc
from luckygas.importing import positive_int, progress
from routing import backtest, forecast

DOC_PATH = settings.BASE_DIR / "docs" / "FORECAST.md"
DOC_INTRO = """\
# 配送預測的回測

待配送名單原本用客戶資料表的規則預測下次配送日：上次配送日加上「最大週期」。
現在改用每位客戶自己的配送歷史學出的節奏（routing/forecast.py）：最近的間隔
比早先的重要，停業、長假那種特別長的間隔不算，看得出季節（寒暑假、農曆年、
冬夏用量）的就照季節調整，日期落在公休日、見紅休、農曆公休日或年年不送的月份
就順延到下一個營業日。歷史還短的客戶，才以客戶資料表的週期（依全體客戶實際
間隔與表上週期的比例校正）補足。

回測（`python manage.py backtest_forecast`）把歷史一天一天重播：每天傍晚只用
當天以前的配送紀錄，兩種方法各自預測每位客戶資料表上的客戶下次哪天要送，
再和歷史上真正的下一次配送比較。已過了預測日卻還沒送的客戶，兩種方法都當作
「明天」，和待配送名單上的「超過週期」一樣。

- **平均絕對誤差**：預測日和真正下次配送日差幾天，對每位客戶的每一天平均。
  「兩者皆有」只算兩種方法都有預測的客戶日（表上沒有週期的客戶，表單規則
  沒有預測），是公平的比較；下一次配送在資料結束之後的客戶日不計。
- **「明天要送」**：預測日是明天的客戶。精確率是其中明天真的送了的比例；
  召回率是明天真的送了的客戶中，前一天被預測到的比例。

每一節由一次回測寫入（以 `--label` 命名），再跑一次同名的回測會更新該節。
"""


def date_argument(text):
    try:
        return parse_date(text)
    except DateParseError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class Command(BaseCommand):
    help = (
        "回測配送預測：把配送歷史一天一天重播，比較依歷史學習的預測和表單規則"
        "（上次配送＋最大週期）的誤差，結果寫入 docs/FORECAST.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--end",
            type=date_argument,
            help="回測的最後一天（預設：最後一筆配送的前一天），"
            "例：1141130 或 2025-11-30",
        )
        parser.add_argument(
            "--days", type=positive_int, default=90, help="回測幾天（預設 %(default)s）"
        )
        parser.add_argument(
            "--label", default="目前的資料庫", help="結果在文件中的節名"
        )
        parser.add_argument(
            "--out",
            type=Path,
            default=DOC_PATH,
            help="寫入的文件（預設 docs/FORECAST.md）",
        )
        parser.add_argument(
            "--no-write", action="store_true", help="只顯示，不寫入文件"
        )

    def handle(self, *args, **options):
        histories = forecast.histories()
        if not histories:
            raise CommandError(
                "沒有配送紀錄可以回測：請先匯入配送歷史（import_deliveries）"
            )
        last_day = max(days[-1] for days in histories.values())
        end = options["end"] or last_day - dt.timedelta(days=1)
        if end >= last_day:
            raise CommandError(
                f"回測最後一天 {to_roc(end)} 須早於最後一筆配送 {to_roc(last_day)}："
                "要有隔天的配送紀錄才能比對"
            )
        start = end - dt.timedelta(days=options["days"] - 1)
        clients = Customer.objects.active().filter(origin=Customer.Origin.CLIENT_LIST)
        customers = forecast.learning_customers(clients.values_list("pk", flat=True))
        if not any(pk in histories for pk in customers):
            raise CommandError(
                "客戶資料上的客戶都沒有配送紀錄：請先匯入客戶資料（import_customers）"
                "和他們的配送歷史"
            )
        with progress(len(customers), "回測", options["verbosity"], unit="位") as bar:
            result = backtest.run(histories, customers, start, end, bar.update)
        deliveries = sum(len(days) for days in histories.values())
        section = report(result, options["label"], deliveries)
        self.stdout.write(section)
        if not options["no_write"]:
            write_section(options["out"], options["label"], section)
        self.stdout.write(
            summary(result, None if options["no_write"] else options["out"])
        )


def figure(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}"


def share(value):
    return "—" if value is None else f"{value:.1%}"


def report(result, label, deliveries):
    rows = [
        ("依歷史學習", result.new),
        ("表單規則（上次配送＋最大週期）", result.sheet),
    ]
    lines = [
        f"## {label}",
        "",
        f"- 資料：{connection.vendor} 資料庫，{deliveries:,} 筆送達的配送紀錄；"
        f"回測 {result.customers:,} 位客戶資料上的客戶。",
        f"- 期間：{to_roc(result.start)} 至 {to_roc(result.end)} 的每天傍晚"
        f"（{(result.end - result.start).days + 1} 天），"
        f"{result.days_with_answer:,} 個有下次配送可比對的客戶日，"
        f"其中隔天真的送了 {result.deliveries_next_day:,} 次。",
        "",
        "| 方法 | 平均絕對誤差（天） | 兩者皆有預測時（天） | 有預測的客戶日 "
        "| 「明天要送」精確率 | 召回率 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, score in rows:
        lines.append(
            f"| {name} | {figure(score.mae)} | {figure(score.shared_mae)} "
            f"| {share(result.coverage(score))} | {share(result.precision(score))} "
            f"| {share(result.recall(score))} |"
        )
    lines += ["", verdict(result), "", f"（{timezone.localdate():%Y-%m-%d} 執行）"]
    return "\n".join(lines) + "\n"


# The bar: the new method's error at least this much below the sheet's.
TARGET = 0.30


def verdict(result):
    gain = result.improvement
    if gain is None:
        return "兩種方法沒有共同預測的客戶日，無法比較。"
    met = "達到" if gain >= TARGET else "未達"
    lower = f"低 {gain:.0%}" if gain >= 0 else f"反而高 {-gain:.0%}"
    return (
        f"兩者皆有預測的客戶日上，依歷史學習的誤差比表單規則{lower}"
        f"（目標至少低 {TARGET:.0%}：{met}）。"
    )


def summary(result, path):
    gain = result.improvement
    where = f"，已寫入 {path}" if path else ""
    compared = "無法比較" if gain is None else f"誤差比表單規則低 {gain:.0%}"
    return (
        f"回測完成：{result.customers:,} 位客戶、{to_roc(result.start)}–"
        f"{to_roc(result.end)}，依歷史學習{compared}{where}。"
    )


def write_section(path, label, section):
    """Put `section` in the doc between its label's markers, replacing the
    section of the same label and keeping the others."""
    begin, end = f"<!-- backtest: {label} -->", f"<!-- /backtest: {label} -->"
    block = f"{begin}\n{section}{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_INTRO
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
