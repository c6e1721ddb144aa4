import argparse
import datetime as dt
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from customers.models import Customer
from luckygas.dates import DateParseError, parse_date, to_roc, today
from luckygas.importing import positive_int, progress
from luckygas.jobs import ScheduledCommand
from routing import backtest, forecast

DOC_PATH = settings.BASE_DIR / "docs" / "FORECAST.md"
DOC_INTRO = """\
# 配送預測的回測

待配送名單原本用客戶資料表的規則預測下次配送日：上次配送日加上「最大週期」。
現在改用每位客戶自己的配送歷史學出的節奏（routing/forecast.py）：最近的間隔
比早先的重要，停業、長假那種特別長的間隔不算，每年都看得出的季節（寒暑假、
農曆年、冬夏用量）照季節調整，日期落在公休日、見紅休、農曆公休日或年年不送的
月份就順延到下一個營業日。歷史還短的客戶，才以客戶資料表的週期（依全體客戶
實際間隔與表上週期的比例校正）補足。間隔分散得像隨機一樣、看不出節奏的客戶，
等了幾天也看不出什麼：就照他整段歷史多久叫一次，預測從明天起有一半機會已經
叫了的那天；他碰巧沒叫的月份或農曆年也不當作休息。

回測（`python manage.py backtest_forecast`）把歷史一天一天重播：每天傍晚只用
當天以前的配送紀錄，兩種方法各自預測每位客戶資料表上的客戶下次哪天要送，
再和歷史上真正的下一次配送比較。表單規則的日子過了還沒送，就當作「明天」
（和待配送名單上的「超過週期」一樣）；依歷史學習的預測每天傍晚重看一次：
在客戶比已經等的天數更長的那些間隔裡找最可能的日子。

- **平均絕對誤差**：預測日和真正下次配送日差幾天，對每位客戶的每一天平均。
  「兩者皆有」只算兩種方法都有預測的客戶日（表上沒有週期的客戶，表單規則
  沒有預測），是公平的比較。
- 回測期間在最後一筆配送的 120 天前結束，所以期間內每位客戶的下一次配送都在
  資料裡（等了 120 天以上的除外，兩種方法都不計）；不然等得久的客戶日會被
  略過，結果偏向預測較早的方法。
- **「明天要送」**：預測日是明天的客戶。精確率是其中明天真的送了的比例；
  召回率是明天真的送了的客戶中，前一天被預測到的比例。精確率「—」是這個方法
  在期間內沒有一次預測明天。這裡量的是預測日本身準不準；待配送名單列出的是
  平常該送的日子已到（含超過週期）的所有客戶，比預測明天要送的多。

每一節由一次回測寫入（以 `--label` 命名），再跑一次同名的回測會更新該節。
"""


def date_argument(text):
    try:
        return parse_date(text)
    except DateParseError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


class Command(ScheduledCommand):
    help = (
        "回測配送預測：把配送歷史一天一天重播，比較依歷史學習的預測和表單規則"
        "（上次配送＋最大週期）的誤差，結果寫入 docs/FORECAST.md。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--end",
            type=date_argument,
            help="回測的最後一天（預設：最後一筆配送的 120 天前），"
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
        label = checked_label(options["label"])
        out = None if options["no_write"] else writable(options["out"])
        histories = forecast.histories()
        if not histories:
            raise CommandError(
                "沒有配送紀錄可以回測：請先匯入配送歷史（import_deliveries）"
            )
        clients = Customer.objects.active().filter(origin=Customer.Origin.CLIENT_LIST)
        customers = forecast.learning_customers(clients.values_list("pk", flat=True))
        if not any(pk in histories for pk in customers):
            raise CommandError(
                "客戶資料上的客戶都沒有配送紀錄：請先匯入客戶資料（import_customers）"
                "和他們的配送歷史"
            )
        start, end = period(histories, options["end"], options["days"])
        with progress(len(customers), "回測", options["verbosity"], unit="位") as bar:
            result = backtest.run(histories, customers, start, end, bar.update)
        if not result.days_with_answer:
            raise CommandError(
                f"{to_roc(start)} 至 {to_roc(end)} 沒有客戶資料上的客戶有配送紀錄，"
                "沒有可以比對的日子：請選較晚的 --end"
            )
        deliveries = sum(len(days) for days in histories.values())
        section = report(result, label, deliveries)
        self.stdout.write(section)
        if out:
            write_section(out, label, section)
        self.summary(summary(result, out))


def period(histories, end, days):
    """The evenings to replay: `days` of them up to `end`, which must leave
    LONGEST_INTERVAL days of history after it, so that every customer's next
    delivery is known, however long they wait (up to a gap)."""
    first = min(dates[0] for dates in histories.values())
    last = max(dates[-1] for dates in histories.values())
    latest = last - dt.timedelta(days=forecast.LONGEST_INTERVAL)
    end = end or latest
    if end > latest:
        raise CommandError(
            f"回測最後一天 {to_roc(end)} 太晚：最後一筆配送是 {to_roc(last)}，"
            f"回測須在那之前 {forecast.LONGEST_INTERVAL} 天結束"
            f"（最晚 {to_roc(latest)}），"
            "每位客戶的下一次配送才都看得到；否則等得久的客戶不計，結果會偏向"
            "預測較早的方法"
        )
    if end < first:
        raise CommandError(f"回測最後一天 {to_roc(end)} 早於第一筆配送 {to_roc(first)}")
    # More days than the history holds start on its first day.
    span = (end - first).days + 1
    return end - dt.timedelta(days=min(days, span) - 1), end


# The longest label a section heading takes.
LABEL_LENGTH = 80


def checked_label(text):
    label = " ".join(text.split())
    if not label:
        raise CommandError("--label 是空白的：請給這次回測一個名稱")
    if len(label) > LABEL_LENGTH:
        raise CommandError(f"--label 太長（{len(label)} 字）：最多 {LABEL_LENGTH} 字")
    if "<" in label or ">" in label:
        raise CommandError(f"--label「{label}」不能含有 < 或 >")
    return label


def writable(path):
    """`path` if the doc can be read and written there, else why not."""
    if path.is_dir():
        raise CommandError(
            f"--out {path} 是資料夾：請給檔案名稱，例如 {path / 'FORECAST.md'}"
        )
    if not path.parent.is_dir():
        raise CommandError(f"--out {path}：資料夾 {path.parent} 不存在")
    if path.exists():
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CommandError(
                f"--out {path} 不是文字檔（UTF-8）：不會覆寫它，請給 .md 檔"
            ) from None
        except OSError as error:
            raise CommandError(f"--out {path} 無法讀取：{error.strerror}") from None
    if path.suffix.lower() != ".md":
        raise CommandError(
            f"--out {path} 不是 .md 檔：結果是 Markdown，請給 .md 檔，免得寫進其他檔案"
        )
    return path


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
    lines += ["", verdict(result)]
    if result.customers < FEW_CUSTOMERS:
        lines += [
            "",
            f"只有 {result.customers} 位客戶，結果受個別客戶影響大，僅供參考。",
        ]
    lines += ["", f"（{to_roc(today())} 執行）"]
    return "\n".join(lines) + "\n"


# The bar: the new method's error at least this much below the sheet's.
TARGET = 0.30
# Fewer customers than this make a result of a few.
FEW_CUSTOMERS = 30


def comparison(result):
    """'低 41%（目標至少低 30%：達到）', or why there is none."""
    gain = result.improvement
    if gain is None:
        return None
    met = "達到" if gain >= TARGET else "未達"
    lower = f"低 {gain:.0%}" if gain >= 0 else f"反而高 {-gain:.0%}"
    return f"{lower}（目標至少低 {TARGET:.0%}：{met}）"


def verdict(result):
    compared = comparison(result)
    if compared is None:
        return "兩種方法沒有共同預測的客戶日，無法比較。"
    return f"兩者皆有預測的客戶日上，依歷史學習的誤差比表單規則{compared}。"


def summary(result, path):
    compared = comparison(result)
    compared = f"誤差比表單規則{compared}" if compared else "和表單規則無法比較"
    where = f"，已寫入 {path}" if path else ""
    return (
        f"回測完成：{result.customers:,} 位客戶、{to_roc(result.start)}–"
        f"{to_roc(result.end)}，依歷史學習{compared}{where}。"
    )


def write_section(path, label, section):
    """Put `section` in the doc between its label's markers, replacing the
    section of the same label and keeping the others."""
    begin, end = f"<!-- backtest: {label} -->", f"<!-- /backtest: {label} -->"
    block = f"{begin}\n{section}{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text.strip():
        text = DOC_INTRO
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"無法寫入 {path}：{error.strerror}") from None
