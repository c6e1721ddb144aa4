import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from customers.models import Area, Customer
from customers.schedule import next_open_day
from luckygas.dates import to_roc, to_roc_number, today
from luckygas.exporting import xlsx_response
from luckygas.forms import query_without
from luckygas.links import url_maker
from luckygas.roles import office_required
from routing import due, runs
from routing.forms import (
    AddStopForm,
    DueListForm,
    FillForm,
    MoveStopForm,
    PostponeForm,
    RouteForm,
)
from routing.models import Postponement, Route, RouteStop

# A page of the due list: a day's whole list can run to hundreds.
DUE_PAGE_SIZE = 100


@office_required
def due_list(request):
    form = DueListForm(request.GET or None)
    data = valid_filters(request, form)
    day = data.get("day") or today() + dt.timedelta(days=1)

    entries = due.ordered(
        due.due_entries(day, data.get("group", ""), data.get("vehicle"))
    )
    page = Paginator(entries, DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = due.complete(page.object_list, day)
    context = {
        **forecast_age(day),
        "form": form,
        "day": day,
        "entries": shown,
        "rows": due_rows(shown, day, back=request.GET.urlencode()),
        "page": page,
        "by_group": runs.group_counts(entries),
        "query": query_without(request, "page"),
    }
    return render(request, "routing/due_list.html", context)


@office_required
def call_ahead(request):
    """Customers the forecast expects in the next two days who have not
    ordered, to ring before they ring."""
    form = DueListForm(request.GET or None)
    data = valid_filters(request, form)
    day = data.get("day") or today() + dt.timedelta(days=1)
    entries = sorted(
        due.call_ahead(day, data.get("group", "")),
        key=lambda entry: (entry.forecast.next, entry.sort_key),
    )
    page = Paginator(entries, DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = due.complete(page.object_list, day)
    order_url = reverse("deliveries:order-create")
    customer_url = url_maker("customers:detail")
    rows = [
        {
            "customer": entry.customer,
            "customer_url": customer_url(entry.customer.code),
            "order_url": f"{order_url}?{customer_query(entry)}",
            "last": to_roc(entry.last_delivery),
            "expected": expected_cell(entry, day),
        }
        for entry in shown
    ]
    context = {
        **forecast_age(day),
        "form": form,
        "day": day,
        "last_day": day + dt.timedelta(days=1),
        "rows": rows,
        "page": page,
        "query": query_without(request, "page"),
    }
    return render(request, "routing/call_ahead.html", context)


def forecast_age(day):
    """What the lists say of their forecasts' age, and of a day gone by."""
    made, stale = due.forecasts_made()
    return {"forecasts_made": made, "forecasts_stale": stale, "past": day < today()}


SOURCE_COLOURS = {due.OVERDUE: "danger", due.ORDER: "primary", due.POSTPONED: "info"}


def due_rows(entries, day, back):
    """The due list's lines, their cells made here: a hundred lines of nested
    loops cost the template engine ten times what they cost Python."""
    postpone = reverse("routing:postpone")
    rest = urlencode({"day": to_roc(day), "back": back})
    customer_url = url_maker("customers:detail")
    return [
        {
            "entry": entry,
            "customer": entry.customer,
            "customer_url": customer_url(entry.customer.code),
            "postpone_url": f"{postpone}?{customer_query(entry)}&{rest}",
            "sources": sources_cell(entry, day),
            "last": to_roc(entry.last_delivery) if entry.last_delivery else "",
            "expected": expected_cell(entry, day),
            "orders": orders_cell(entry.orders, day),
            "closed": closed_cell(entry),
        }
        for entry in entries
    ]


def expected_cell(entry, day):
    """The forecast's date, its range and confidence as seen on the list's
    `day`, and the sheet's date where it differs; only the sheet's date
    without a forecast."""
    sheet, forecast = entry.sheet_expected, entry.forecast
    if not forecast:
        return to_roc(sheet) if sheet else ""
    forecast = forecast.seen_on(day)
    cell = format_html(
        '{}<div class="small text-secondary">{}–{}，信心：{}</div>',
        to_roc(forecast.next),
        month_day(forecast.low),
        month_day(forecast.high),
        forecast.confidence,
    )
    if sheet and sheet != forecast.next:
        cell += format_html(
            '<div class="small text-secondary text-nowrap">表單 {}</div>', to_roc(sheet)
        )
    return cell


def month_day(day):
    return f"{day.month}/{day.day}"


def customer_query(entry):
    return urlencode({"customer": entry.customer.code})


def sources_cell(entry, day):
    badges = format_html_join(
        " ",
        '<span class="badge text-bg-{}">{}</span>',
        ((SOURCE_COLOURS.get(source, "secondary"), source) for source in entry.sources),
    )
    postponement = entry.postponement
    if postponement and postponement.to_date == day:
        reason = format_html(
            '<div class="small text-secondary">{}</div>', postponement.reason
        )
        return badges + reason
    return badges


def orders_cell(orders, day):
    parts = []
    for order in orders:
        parts.append(
            format_html_join(
                " ",
                "{}×{}",
                ((item.product, item.quantity) for item in order.items.all()),
            )
        )
        if order.requested_date < day:
            parts.append(
                format_html(
                    '<div class="small text-danger">原訂 {}，尚未送</div>',
                    to_roc(order.requested_date),
                )
            )
    return mark_safe(" ".join(parts))  # each part made by format_html


def closed_cell(entry):
    cell = ""
    if entry.closed:
        cell = format_html(
            '{}<div class="small">下次營業：{}</div>',
            entry.closed,
            to_roc(entry.next_open),
        )
    unparsed = entry.customer.closed_days_unparsed
    if unparsed:
        cell += format_html(
            '<div class="small text-danger">公休日待確認：{}</div>', unparsed
        )
    return cell


def valid_filters(request, form):
    """The filters that could be read; each one that could not is named in a
    message and left out, rather than dropping the others with it."""
    if form.is_bound and not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label
            value = form.data.get(name, "")
            messages.error(request, f"{label}「{value}」無法使用：{errors[0]}，已略過")
    return getattr(form, "cleaned_data", {})


# What of the due list's query string a postponement goes back to.
DUE_LIST_PARAMETERS = ("day", "group", "vehicle", "page")


def due_list_url(back, day):
    """The due list as it was when its 延後… was pressed, or the day's list."""
    given = QueryDict(back)
    query = {name: given[name] for name in DUE_LIST_PARAMETERS if given.get(name)}
    query.setdefault("day", to_roc(day))
    return f"{reverse('routing:due')}?{urlencode(query)}"


@office_required
def postpone(request):
    """A due entry moved to a later day: the form (linked from the due list),
    then the move, with every open order the entry shows."""
    if request.method != "POST":
        customer = get_object_or_404(Customer, code=request.GET.get("customer", ""))
        day, _ = day_from(request)
        initial = {
            "customer": customer.code,
            "day": day,
            "to_date": next_open_day(customer, day),
            "back": request.GET.get("back", ""),
        }
        return postpone_page(request, customer, day, PostponeForm(initial=initial))

    form = PostponeForm(request.POST)
    customer = get_object_or_404(Customer, code=request.POST.get("customer", ""))
    if not form.is_valid():
        day = form.cleaned_data.get("day") or today() + dt.timedelta(days=1)
        return postpone_page(request, customer, day, form)

    data = form.cleaned_data
    orders = list(due.open_orders(data["day"]).filter(customer=customer))
    due.postpone(
        customer, data["day"], data["to_date"], data["reason"], request.user, orders
    )
    moved = f"，訂單 {len(orders)} 張一併改期" if orders else ""
    messages.success(
        request,
        f"已延後：{customer.code} {customer.display_name} "
        f"改為 {to_roc(data['to_date'])}{moved}",
    )
    return redirect(due_list_url(data["back"], data["day"]))


@office_required
@require_POST
def postponement_cancel(request, postponement_id):
    """A postponement taken back: the customer is due again as before. Orders
    it moved keep their new day; the order list changes them."""
    postponement = get_object_or_404(
        Postponement.objects.select_related("customer"), pk=postponement_id
    )
    customer = postponement.customer
    postponement.delete()
    moved = "；一併改期的訂單仍在新的日期" if postponement.order_id else ""
    messages.success(
        request,
        f"已取消延後：{to_roc(postponement.from_date)} 延至 "
        f"{to_roc(postponement.to_date)}{moved}",
    )
    return redirect(customer)


def postpone_page(request, customer, day, form):
    context = {
        "form": form,
        "customer": customer,
        "day": day,
        "orders": due.open_orders(day)
        .filter(customer=customer)
        .prefetch_related("items__product"),
        "back_url": due_list_url(form["back"].value() or "", day),
    }
    return render(request, "routing/postpone.html", context)


def day_from(request):
    """The day asked for, or tomorrow, saying so when the date was unreadable."""
    form = DueListForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("day") or today() + dt.timedelta(days=1)
    readable = "day" not in form.errors
    if not readable:
        messages.error(request, f"{form.errors['day'][0]}，改顯示 {to_roc(day)}")
    return day, readable


def runs_url(day):
    return f"{reverse('routing:runs')}?day={to_roc(day)}"


def form_errors(form):
    return "；".join(error for errors in form.errors.values() for error in errors)


@office_required
def route_list(request):
    """The runs of a day, a form for a new one, and who is still unplanned."""
    day, readable = day_from(request)
    routes = runs.with_progress(runs.routes_of(day))
    form = RouteForm(route_date=day)
    if request.method == "POST" and readable:
        form = RouteForm(request.POST, route_date=day)
        if form.is_valid():
            route = form.save(commit=False)
            route.route_date = day
            route.save()
            messages.success(request, f"已建立車次「{route.route_code}」")
            return redirect(route)
    unplanned = runs.unplanned_by_group(day)
    context = {
        "day": day,
        "routes": routes,
        "form": form,
        "unplanned": sum(count for _, count in unplanned),
        "unplanned_by_group": unplanned,
    }
    return render(request, "routing/route_list.html", context)


@office_required
def route_detail(request, route_id):
    route = get_object_or_404(
        Route.objects.select_related("driver", "vehicle"), pk=route_id
    )
    form = RouteForm(instance=route)
    if request.method == "POST":
        form = RouteForm(request.POST, instance=route)
        if form.is_valid():
            form.save()
            messages.success(request, "車次資料已更新")
            return redirect(route)
    planned = runs.planned_stops(route)
    context = {
        "route": route,
        "form": form,
        "planned": planned,
        "totals": runs.sheet_totals(planned),
        "fill_form": FillForm(initial={"group": runs.guess_group(route.route_code)}),
        "add_form": AddStopForm(),
        "other_routes": runs.routes_of(route.route_date).exclude(pk=route.pk),
        "full_run": runs.FULL_RUN,
        "maps_links": runs.directions_links(
            [entry.customer.address for entry in planned]
        ),
    }
    return render(request, "routing/route_detail.html", context)


@office_required
@require_POST
def route_fill(request, route_id):
    route = get_object_or_404(Route.objects.select_related("vehicle"), pk=route_id)
    form = FillForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"沒有排入：{form_errors(form)}")
        return redirect(route)
    added = runs.fill_route(
        route, form.cleaned_data["group"], form.cleaned_data["limit"]
    )
    group = Area.Group(form.cleaned_data["group"]).label
    if added:
        messages.success(request, f"已從待配送名單排入{group} {len(added)} 位客戶")
        return redirect(route)
    left = len(runs.unplanned_due(route.route_date, form.cleaned_data["group"]))
    if left and route.vehicle:
        messages.info(
            request,
            f"{group}還有 {left} 位尚未排車，但都不能用{route.vehicle}送"
            "（客戶資料的「配送車種」）",
        )
    else:
        messages.info(request, f"{group}沒有尚未排車的待配送客戶")
    return redirect(route)


@office_required
@require_POST
def route_add_stop(request, route_id):
    route = get_object_or_404(Route, pk=route_id)
    form = AddStopForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"沒有加入：{form_errors(form)}")
        return redirect(route)
    customer = form.cleaned_data["customer"]
    _, planned = runs.add_customer(route, customer)
    if planned:
        messages.error(
            request,
            f"沒有加入：{customer} 已經在當天的「{planned.route.route_code}」車次",
        )
        return redirect(route)
    messages.success(request, f"已加入 {customer}")
    return redirect(route)


def open_stop(stop_id):
    """A stop the office may still change: not yet recorded by the driver."""
    stop = get_object_or_404(RouteStop.objects.select_related("route"), pk=stop_id)
    return stop, not stop.outcome


@office_required
@require_POST
def stop_move(request, stop_id):
    stop, changeable = open_stop(stop_id)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if changeable and step:
        runs.move_stop(stop, step)
    return redirect(f"{stop.route.get_absolute_url()}#stop-{stop.pk}")


@office_required
@require_POST
def stop_transfer(request, stop_id):
    stop, changeable = open_stop(stop_id)
    route = stop.route
    form = MoveStopForm(request.POST, stop=stop)
    if not changeable:
        messages.error(request, "司機已經記錄這一站，不能再移動")
    elif form.is_valid():
        target = form.cleaned_data["route"]
        runs.move_to_route(stop, target)
        messages.success(
            request, f"已把 {stop.customer} 移到「{target.route_code}」車次"
        )
    else:
        messages.error(request, "沒有移動：請選同一天的另一個車次")
    return redirect(route)


@office_required
@require_POST
def stop_remove(request, stop_id):
    stop, changeable = open_stop(stop_id)
    route = stop.route
    if changeable:
        runs.remove_stop(stop)
        messages.success(request, f"已從車次移除 {stop.customer}，回到待配送名單")
    else:
        messages.error(request, "司機已經記錄這一站，不能移除")
    return redirect(route)


# The dispatch sheet's columns and their widths in Excel.
SHEET_COLUMNS = [
    ("順序", 5),
    ("客戶", 10),
    ("簡稱", 16),
    ("地址", 30),
    ("營業時間", 12),
    ("時段", 6),
    ("公休", 18),
    ("預計瓶數", 24),
    ("備註", 36),
]
SHEET_HEADERS = [header for header, _ in SHEET_COLUMNS]


def sheet_rows(planned):
    for number, entry in enumerate(planned, start=1):
        customer = entry.customer
        notes = [entry.stop.note, *(entry.warnings)]
        if entry.stop.order and entry.stop.order.note:
            notes.insert(0, entry.stop.order.note)
        yield [
            number,
            customer.code,
            customer.display_name,
            customer.address,
            customer.open_hours_display,
            customer.get_time_slot_display() if customer.time_slot is not None else "",
            customer.closed_days_display,
            entry.items_display,
            "；".join(note for note in notes if note),
        ]


@office_required
def dispatch_sheet(request, route_id):
    """The run's dispatch sheet (派遣單): a printable page, or Excel."""
    route = get_object_or_404(
        Route.objects.select_related("driver", "vehicle"), pk=route_id
    )
    planned = runs.planned_stops(route)
    totals = runs.sheet_totals(planned)
    if request.GET.get("format") == "xlsx":
        return sheet_workbook(route, planned, totals)
    context = {
        "route": route,
        "planned": planned,
        "rows": list(sheet_rows(planned)),
        "headers": SHEET_HEADERS,
        "totals": totals,
        "maps": [
            (link, runs.qr_code(link))
            for link in runs.directions_links(
                [entry.customer.address for entry in planned]
            )
        ],
    }
    return render(request, "routing/dispatch_sheet.html", context)


def sheet_header(route):
    return [
        ("日期", to_roc(route.route_date)),
        ("車次", route.route_code),
        ("司機", route.driver.name if route.driver else ""),
        ("車牌", route.vehicle.plate if route.vehicle else ""),
        ("出車時間", f"{route.start_time:%H:%M}" if route.start_time else ""),
    ]


def sheet_workbook(route, planned, totals):
    heading = [value for pair in sheet_header(route) for value in pair]
    stops = list(sheet_rows(planned)) or [["", "這個車次沒有停靠點"]]
    rows = [heading, [], SHEET_HEADERS, *stops, []]
    rows += [
        ["瓶數合計", totals["cylinders"], "總公斤數", totals["kg"]],
        ["出車里程", route.odometer_out, "回車里程", route.odometer_in],
    ]
    rows += [
        [f"路線 {n}", link]
        for n, link in enumerate(
            runs.directions_links([entry.customer.address for entry in planned]),
            start=1,
        )
    ]
    filename = f"派遣單-{to_roc_number(route.route_date)}-{route.route_code}.xlsx"
    return xlsx_response(
        filename,
        "派遣單",
        rows[0],
        rows[1:],
        widths=[width for _, width in SHEET_COLUMNS],
        landscape=True,
    )
