import datetime as dt

from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render

from customers.models import Area, Customer
from luckygas.caching import get_or_compute
from luckygas.dates import to_roc, today
from luckygas.exporting import xlsx_response
from luckygas.forms import query_without
from luckygas.roles import office_required
from reports import charts, consumption, figures
from reports.consumption import add_months, month_start
from reports.forms import (
    ConsumptionForm,
    DayForm,
    MonthForm,
    StatementForm,
    to_roc_month,
)
from reports.models import ConsumptionFlag, CustomerMonths
from reports.refreshing import last_refresh

CUSTOMERS_PER_PAGE = 50
FLAGS_SHOWN = 50
# Figures change only with a refresh, which makes new keys; this bounds memory.
REPORT_CACHE_SECONDS = 24 * 60 * 60
# The customer columns the report pages show: a customer row is wide.
LISTED = ("code", "short_name", "invoice_title", "area", "origin", "settlement")
TOTAL_HEADERS = ["配送次數", "瓶數", "公斤", "金額", "收現", "退氣公斤", "無金額次數"]


def total_cells(totals):
    """A row of sums as the export has it: blank where the page has a dash."""
    return [figure for _, figure in totals.figures()] + [totals.unpriced]


def valid_fields(form):
    """The values of the form's valid fields; the others show their errors."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data


def cached_figures(name, refresh, compute, *parts):
    """Report figures from the cache, under the refresh they were summed at:
    the next refresh makes new keys, so a page never outlives its figures."""
    made = f"{refresh.pk}-{refresh.finished_at.timestamp()}" if refresh else "none"
    key = ":".join(["report", name, made, *map(str, parts)])
    return get_or_compute(key, compute, REPORT_CACHE_SECONDS)


def render_report(request, template, context):
    context |= {
        "refresh": context.get("refresh") or last_refresh(),
        "export_query": query_without(request, "export"),
    }
    return render(request, template, context)


@office_required
def index(request):
    return redirect("reports:monthly")


@office_required
def daily(request):
    form = DayForm(request.GET or None)
    day = valid_fields(form).get("day") or today()
    refresh = last_refresh()
    report = cached_figures("daily", refresh, lambda: figures.daily(day), day)
    export = request.GET.get("export")
    name = f"daily-{to_roc(day).replace('/', '')}-{export}.xlsx"
    if export == "runs":
        rows = [[run.label, run.driver, *total_cells(run)] for run in report.runs] + [
            ["合計", "", *total_cells(report.total)]
        ]
        return xlsx_response(name, "車次", ["車次", "司機", *TOTAL_HEADERS], rows)
    if export == "products":
        headers = ["產品", "瓶數", "公斤", "回收空瓶", "金額"]
        rows = [
            [product.name, f["cylinders"], f["kg"], f["empties"], f["amount"]]
            for product, f in report.products
        ]
        total = report.product_total
        rows.append(
            ["合計", total["cylinders"], total["kg"], total["empties"], total["amount"]]
        )
        return xlsx_response(name, "產品", headers, rows)
    if export == "matrix":
        headers = ["車次", "司機", *(product.name for product, _ in report.products)]
        rows = [[run.label, run.driver, *counts] for run, counts in report.matrix]
        rows.append(["合計", "", *report.matrix_total])
        return xlsx_response(name, "各車次瓶數", headers, rows)
    context = {
        "form": form,
        "report": report,
        "refresh": refresh,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
    }
    return render_report(request, "reports/daily.html", context)


def month_of(request):
    form = MonthForm(request.GET or None)
    return form, valid_fields(form).get("month") or month_start(today())


@office_required
def monthly(request):
    form, month = month_of(request)
    refresh = last_refresh()
    report = cached_figures("monthly", refresh, lambda: figures.monthly(month), month)
    export = request.GET.get("export")
    name = f"monthly-{to_roc_month(month).replace('/', '-')}-{export}.xlsx"
    headers = ["", *TOTAL_HEADERS]
    tables = {
        "days": ("每日", "日期", [(to_roc(t.key), t) for t in report.days]),
        "areas": ("區域", "區域", [(t.label, t) for t in report.areas]),
        "settlements": (
            "結帳方式",
            "結帳方式",
            [(t.label, t) for t in report.settlements],
        ),
        "year": ("全年各月", "月份", [(to_roc_month(t.key), t) for t in report.year]),
    }
    if export in tables:
        sheet, first, labelled = tables[export]
        rows = [[label, *total_cells(totals)] for label, totals in labelled]
        rows.append(["合計", *total_cells(figures.total_of(t for _, t in labelled))])
        headers[0] = first
        return xlsx_response(name, sheet, headers, rows)
    day_labels = [str(t.key.day) for t in report.days]
    month_labels = [f"{number}月" for number in range(1, 13)]
    context = {
        "form": form,
        "report": report,
        "refresh": refresh,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        "roc_month": to_roc_month(month),
        "delivery_chart": charts.bar_chart(
            [t.deliveries for t in report.days],
            day_labels,
            "每日配送次數",
            "次",
            label_every=2,
        ),
        "amount_chart": charts.bar_chart(
            [t.amount for t in report.days],
            day_labels,
            "每日金額",
            "元",
            label_every=2,
        ),
        "year_chart": charts.bar_chart(
            [t.deliveries for t in report.year],
            month_labels,
            f"{month.year - 1911} 年各月配送次數",
            "次",
        ),
    }
    return render_report(request, "reports/monthly.html", context)


@office_required
def consumption_report(request):
    form = ConsumptionForm(request.GET or None)
    data = valid_fields(form)
    months = consumption.window(today())
    in_window = CustomerMonths.objects.filter(
        customer_id=OuterRef("pk"), month__gte=months[0]
    )
    customers = Customer.objects.filter(Exists(in_window)).only(*LISTED)
    flags = ConsumptionFlag.objects.select_related("customer").only(
        *("customer__" + name for name in LISTED),
        "month",
        "kind",
        "measure",
        "value",
        "norm",
    )
    if not data.get("everyone"):
        customers = customers.exclude(origin=Customer.Origin.HISTORY)
        flags = flags.exclude(customer__origin=Customer.Origin.HISTORY)
    if data.get("area"):
        customers = customers.filter(area=data["area"])
        flags = flags.filter(customer__area=data["area"])
    export = request.GET.get("export")
    if export == "flags":
        rows = [
            [
                f.customer.code,
                f.customer.display_name,
                to_roc_month(f.month),
                f.get_kind_display(),
                f.measure,
                f.value,
                f.norm,
            ]
            for f in flags
        ]
        headers = ["客戶", "名稱", "月份", "異常", "依據", "當月", "平常"]
        return xlsx_response("consumption-flags.xlsx", "用量異常", headers, rows)
    if export == "customers":
        return consumption_workbook(customers, months)

    if data.get("after"):
        customers = customers.filter(code__gt=data["after"])
    page = list(customers.order_by("code")[: CUSTOMERS_PER_PAGE + 1])
    more = len(page) > CUSTOMERS_PER_PAGE
    page = page[:CUSTOMERS_PER_PAGE]
    series = consumption.series(months, [customer.pk for customer in page])
    rows = [(customer, series[customer.pk]) for customer in page]
    context = {
        "form": form,
        "months": months,
        "rows": rows,
        "flags": flags[:FLAGS_SHOWN],
        "flag_count": flags.count(),
        "next_after": page[-1].code if more else None,
        "page_query": query_without(request, "after", "export"),
    }
    return render_report(request, "reports/consumption.html", context)


def consumption_workbook(customers, months):
    customers = list(customers.order_by("code"))
    areas = dict(Area.objects.values_list("pk", "code"))
    series = consumption.series(months, [customer.pk for customer in customers])
    headers = [
        "客戶",
        "名稱",
        "區域",
        "依據",
        *(to_roc_month(month) for month in months),
        "退氣比例",
    ]
    rows = []
    for customer in customers:
        line = series[customer.pk]
        ratio = line.returned_ratio
        rows.append(
            [
                customer.code,
                customer.display_name,
                areas.get(customer.area_id, ""),
                line.measure,
                *line.values(),
                None if ratio is None else round(ratio, 3),
            ]
        )
    return xlsx_response("consumption-customers.xlsx", "每月用量", headers, rows)


@office_required
def statement(request):
    form = StatementForm(request.GET or None)
    data = valid_fields(form)
    month = data.get("month") or add_months(month_start(today()), -1)
    context = {"form": form, "month": month, "roc_month": to_roc_month(month)}
    code = (data.get("customer") or "").strip()
    customer = Customer.objects.filter(code=code).first() if code else None
    if code and customer is None:
        form.add_error("customer", f"找不到客戶 {code}")
    if customer is None:
        if request.GET.get("export") == "accounts":
            return accounts_workbook(month, monthly_accounts(month))
        accounts = monthly_accounts(
            month, after=request.GET.get("after", ""), limit=CUSTOMERS_PER_PAGE + 1
        )
        context |= {
            "accounts": accounts[:CUSTOMERS_PER_PAGE],
            "next_after": (
                accounts[CUSTOMERS_PER_PAGE - 1][0].code
                if len(accounts) > CUSTOMERS_PER_PAGE
                else None
            ),
            "page_query": query_without(request, "after", "export"),
        }
        return render_report(request, "reports/statement.html", context)
    result = figures.statement(customer, month)
    if request.GET.get("export") == "xlsx":
        return statement_workbook(customer, month, result)
    context |= {
        "customer": customer,
        "live": True,
        "previous": add_months(month, -1),
        "next": add_months(month, 1),
        **result,
    }
    return render_report(request, "reports/statement.html", context)


def monthly_accounts(month, after="", limit=None):
    """The monthly-account customers who had gas in the month, by code, each
    with the month's sums and how many of its deliveries have no amount: all
    of them, or `limit` of them after a code."""
    sums = {
        row.customer_id: row
        for row in CustomerMonths.objects.filter(
            month=month,
            customer_id__in=Customer.objects.filter(
                settlement=Customer.Settlement.MONTHLY
            ).values("pk"),
        )
    }
    customers = Customer.objects.filter(pk__in=list(sums), code__gt=after)
    customers = customers.only(*LISTED).order_by("code")
    if limit is not None:
        customers = customers[:limit]
    return [
        (
            customer,
            sums[customer.pk],
            sums[customer.pk].deliveries - sums[customer.pk].priced,
        )
        for customer in customers
    ]


def accounts_workbook(month, accounts):
    headers = ["客戶", "名稱", "配送次數", "金額", "無金額次數"]
    rows = [
        [customer.code, customer.display_name, sums.deliveries, sums.amount, unpriced]
        for customer, sums, unpriced in accounts
    ]
    name = f"monthly-accounts-{to_roc_month(month).replace('/', '-')}.xlsx"
    return xlsx_response(name, "月結客戶", headers, rows)


def statement_workbook(customer, month, result):
    headers = ["日期", "產品", "數量", "單價", "金額", "收現", "備註"]
    rows = []
    for line in result["lines"]:
        delivery = line.delivery
        day = to_roc(delivery.delivery_date)
        if not line.items:
            rows.append(
                [
                    day,
                    "",
                    None,
                    None,
                    delivery.total_amount,
                    delivery.cash_collected,
                    delivery.note,
                ]
            )
        for index, item in enumerate(line.items):
            first = index == 0
            rows.append(
                [
                    day,
                    item.product.name,
                    item.quantity,
                    item.unit_price,
                    item.amount,
                    delivery.cash_collected if first else None,
                    delivery.note if first else "",
                ]
            )
    known = result["amount_known"]
    rows.append(
        [
            "合計",
            "",
            result["cylinders"],
            None,
            result["amount"] if known else None,
            result["cash"],
            "",
        ]
    )
    rows.append(["應收", "", None, None, result["due"] if known else None, None, ""])
    rows.append([])
    rows.append(
        ["客戶", f"{customer.code} {customer.invoice_title or customer.display_name}"]
    )
    rows.append(["地址", customer.address])
    rows.append(["月份", to_roc_month(month)])
    rows.append(["結帳方式", customer.get_settlement_display() or "（未填）"])
    if result["unpriced"]:
        rows.append(["說明", f"{result['unpriced']} 次配送沒有金額，未計入合計"])
    roc_month = to_roc_month(month).replace("/", "-")
    name = f"statement-{customer.code}-{roc_month}.xlsx"
    return xlsx_response(
        name,
        f"{customer.code} {roc_month}",
        headers,
        rows,
        widths=(11, 12, 7, 8, 10, 10, 24),
    )
