import datetime as dt
import uuid

from django.contrib import messages
from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, CustomerCylinder
from customers.schedule import cached_week_ahead, closed_reason, next_open_day
from deliveries import services
from deliveries.forms import (
    CancelOrderForm,
    HistoryFilterForm,
    OrderForm,
    OrderListForm,
)
from deliveries.history import HistoryFilter, history_page
from deliveries.models import Delivery, Order, OrderItem, Product
from luckygas.dates import to_roc, to_roc_number, today
from luckygas.exporting import csv_response, xlsx_response
from luckygas.forms import query_without
from luckygas.links import url_maker
from luckygas.roles import office_required

HISTORY_PAGE_SIZE = 100
EXPORT_PAGE_SIZE = 5000
EXPORT_MAX_ROWS = 50_000
SEARCH_RESULTS = 20
RECENT_DELIVERIES = 5
# What the order list shows: a day has a hundred and more orders.
ORDER_LIST_COLUMNS = [
    "requested_date",
    "status",
    "time_slot",
    "note",
    "cancel_reason",
    "customer__code",
    "customer__short_name",
    "customer__invoice_title",
    "customer__address",
    "customer__area__code",
    "created_by__username",
    "created_by__first_name",
    "created_by__last_name",
]


def history_filters(form):
    """The filters of a valid form; an invalid one filters nothing."""
    data = form.cleaned_data if form.is_valid() else {}
    return HistoryFilter(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        area_code=data["area"].code if data.get("area") else "",
        driver_id=data["driver"].id if data.get("driver") else None,
    )


@office_required
def history_list(request):
    form = HistoryFilterForm(request.GET or None)
    filters = history_filters(form)

    history = history_page(filters, request.GET.get("cursor", ""), HISTORY_PAGE_SIZE)
    if history.notice:
        messages.warning(request, history.notice)

    context = {
        "form": form,
        "history": history,
        "base_query": query_without(request, "cursor"),
    }
    return render(request, "deliveries/history_list.html", context)


@office_required
def history_export(request):
    form = HistoryFilterForm(request.GET or None)
    filters = history_filters(form)

    rows, cursor = [], ""
    while len(rows) < EXPORT_MAX_ROWS:
        page = history_page(filters, cursor, EXPORT_PAGE_SIZE)
        rows += page.rows
        cursor = page.next_cursor
        if not cursor:
            break
    if cursor:
        messages.error(
            request,
            f"符合條件的配送超過 {EXPORT_MAX_ROWS:,} 筆，請縮小日期範圍後再匯出",
        )
        return redirect(f"{reverse('deliveries:history')}?{request.GET.urlencode()}")

    headers = [
        "客戶",
        "電子發票抬頭",
        "客戶簡稱",
        "區域",
        "最後十次日期",
        "司機",
        "結果",
    ]
    headers += ["金額", "收現", "備註"]
    cells = (
        [
            row["customer__code"],
            row["customer__invoice_title"],
            row["customer__short_name"],
            row["customer__area__code"],
            to_roc_number(row["delivery_date"]),
            row["driver__name"],
            row["outcome_label"],
            row["total_amount"],
            row["cash_collected"],
            row["note"],
        ]
        for row in rows
    )
    return xlsx_response(f"配送紀錄-{today():%Y%m%d}.xlsx", "配送紀錄", headers, cells)


def order_queryset():
    items = OrderItem.objects.select_related("product").order_by("product__sort_order")
    return Order.objects.select_related(
        "customer__area", "created_by"
    ).prefetch_related(Prefetch("items", queryset=items))


@office_required
def order_list(request):
    form = OrderListForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("day") or today() + dt.timedelta(days=1)

    orders = order_queryset().filter(requested_date=day).only(*ORDER_LIST_COLUMNS)
    if data.get("status"):
        orders = orders.filter(status=data["status"])
    orders = orders.order_by("time_slot", "customer__area__code", "customer__code")

    context = {
        "form": form,
        "day": day,
        "orders": orders,
        "rows": order_rows(orders, request.GET.get("order")),
        "today": today(),
        "tomorrow": today() + dt.timedelta(days=1),
    }
    return render(request, "deliveries/order_list.html", context)


def order_rows(orders, highlight):
    """The order list's lines, their cells made here rather than by template
    lookups, a hundred or more a day."""
    customer_url = url_maker("customers:detail")
    edit_url = url_maker("deliveries:order-edit", int)
    cancel_url = url_maker("deliveries:order-cancel", int)
    rows = []
    for order in orders:
        customer, clerk = order.customer, order.created_by
        rows.append(
            {
                "order": order,
                "customer": customer,
                "customer_url": customer_url(customer.code),
                "area": customer.area.code if customer.area else "",
                "items": "、".join(
                    f"{item.product}×{item.quantity}" for item in order.items.all()
                ),
                "slot": order.get_time_slot_display() or "",
                "status": order.get_status_display(),
                "clerk": (clerk.get_full_name() or clerk.username) if clerk else "",
                "edit_url": edit_url(order.pk) if order.is_open else "",
                "cancel_url": cancel_url(order.pk) if order.is_open else "",
                "highlight": highlight == str(order.pk),
            }
        )
    return rows


def customer_summary(customer):
    """What the office needs to see while the customer is on the phone."""
    recent = history_page(HistoryFilter(customer_id=customer.id), "", RECENT_DELIVERIES)
    return {
        "recent": recent.rows,
        "open_orders": order_queryset().filter(
            customer=customer, status=Order.Status.OPEN
        ),
        "week": cached_week_ahead(customer, today() + dt.timedelta(days=1)),
    }


def order_products(customer):
    """Every product, the customer's usual ones first."""
    usual = set(
        CustomerCylinder.objects.filter(customer=customer).values_list(
            "product_id", flat=True
        )
    )
    products = list(Product.objects.all())
    return sorted(products, key=lambda product: product.id not in usual), usual


def order_form_page(request, customer, form, usual, order=None):
    context = {
        "customer": customer,
        "form": form,
        "order": order,
        "usual": usual,
        **customer_summary(customer),
    }
    return render(request, "deliveries/order_form.html", context)


@office_required
def order_create(request):
    code = request.GET.get("customer", "")
    if not code:
        return customer_search(request)
    customer = get_object_or_404(
        Customer.objects.select_related("area").prefetch_related("cylinders__product"),
        code=code,
    )

    products, usual = order_products(customer)
    initial = {
        "requested_date": next_open_day(customer, today()),
        "time_slot": customer.time_slot,
        "token": uuid.uuid4(),
    }
    form = OrderForm(request.POST or None, initial=initial, products=products)
    if form.is_valid():
        order, saved = services.save_order(form, customer, request.user)
        if saved:
            messages.success(request, order_saved_text(order, "已接單"))
        else:
            messages.info(request, "這張訂單剛才已經儲存過，沒有重複建立")
        return redirect_to_order(order)
    return order_form_page(request, customer, form, usual)


def order_saved_text(order, verb):
    text = f"{verb}：{order.customer.code} {order.customer.display_name}，"
    text += f"{to_roc(order.requested_date)} 配送"
    if reason := closed_reason(order.customer, order.requested_date):
        text += f"（注意：客戶當天{reason}）"
    return text


def redirect_to_order(order):
    query = QueryDict(mutable=True)
    query.update({"day": to_roc(order.requested_date), "order": order.pk})
    return redirect(f"{reverse('deliveries:order-list')}?{query.urlencode()}")


def customer_search(request):
    query = request.GET.get("q", "").strip()
    customers = []
    if query:
        customers = (
            Customer.objects.select_related("area")
            .search(query)
            .order_by("terminated", "code")[:SEARCH_RESULTS]
        )
    context = {"query": query, "customers": customers, "limit": SEARCH_RESULTS}
    if request.GET.get("partial"):
        return render(request, "deliveries/_customer_choices.html", context)
    return render(request, "deliveries/order_search.html", context)


def open_order(request, order_id):
    """The order, or None with a message when it can no longer change."""
    order = get_object_or_404(order_queryset(), pk=order_id)
    if order.is_open:
        return order
    messages.error(request, f"這張訂單{order.get_status_display()}，不能再修改")
    return None


@office_required
def order_edit(request, order_id):
    order = open_order(request, order_id)
    if order is None:
        return redirect(reverse("deliveries:order-list"))
    customer = order.customer

    products, usual = order_products(customer)
    form = OrderForm(
        request.POST or None,
        instance=order,
        initial={"token": order.request_token or uuid.uuid4()},
        products=products,
    )
    if form.is_valid():
        order, _ = services.save_order(form, customer, request.user)
        messages.success(request, order_saved_text(order, "已修改訂單"))
        return redirect_to_order(order)
    return order_form_page(request, customer, form, usual, order)


@office_required
def order_cancel(request, order_id):
    order = open_order(request, order_id)
    if order is None:
        return redirect(reverse("deliveries:order-list"))

    form = CancelOrderForm(request.POST or None)
    if form.is_valid():
        services.cancel_order(order, form.cleaned_data["reason"])
        messages.success(
            request, f"已取消訂單：{order.customer.code} {order.customer.display_name}"
        )
        return redirect_to_order(order)
    return render(
        request, "deliveries/order_cancel.html", {"form": form, "order": order}
    )


def upload_rows(day):
    """The day's deliveries recorded here, as the old system keys them in."""
    products = list(Product.objects.all())
    deliveries = (
        Delivery.objects.filter(
            delivery_date=day,
            source=Delivery.Source.APP,
            outcome=Delivery.Outcome.DELIVERED,
        )
        .select_related("customer", "driver")
        .prefetch_related("items")
        .order_by("delivered_at", "id")
    )
    headers = [
        "客戶",
        "業務員",
        "日期",
        "時間",
        *(product.name for product in products),
    ]
    rows = []
    for delivery in deliveries:
        quantities = {item.product_id: item.quantity for item in delivery.items.all()}
        delivered_at = delivery.delivered_at and timezone.localtime(
            delivery.delivered_at
        )
        rows.append(
            [
                delivery.customer.code,
                delivery.driver.code if delivery.driver else "",
                to_roc_number(delivery.delivery_date),
                f"{delivered_at:%H%M}" if delivered_at else "",
                *(quantities.get(product.id) or "" for product in products),
            ]
        )
    return headers, rows


@office_required
def upload_list(request):
    form = OrderListForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("day") or today()
    headers, rows = upload_rows(day)

    filename = f"上傳清單-{to_roc_number(day)}"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"{filename}.xlsx", "上傳清單", headers, rows)
    if request.GET.get("format") == "csv":
        return csv_response(f"{filename}.csv", headers, rows)
    context = {"form": form, "day": day, "headers": headers, "rows": rows}
    return render(request, "deliveries/upload_list.html", context)
