from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from customers.exporting import client_list_headers, client_list_rows
from customers.forms import CustomerFilterForm, CustomerForm
from customers.models import WEEKDAY_NAMES, Customer
from customers.schedule import cached_week_ahead
from deliveries.history import HistoryFilter, history_page
from luckygas.dates import today
from luckygas.exporting import xlsx_response
from luckygas.forms import query_without
from luckygas.roles import office_required

PAGE_SIZE = 50
# What the list shows: the raw rows and the rest stay in the database.
LIST_COLUMNS = [
    "code",
    "short_name",
    "invoice_title",
    "address",
    "phone",
    "pricing",
    "settlement",
    "terminated",
    "origin",
    "area__code",
    "area__name",
]
HISTORY_PAGE_SIZE = 25


def find_customer(code):
    return get_object_or_404(
        Customer.objects.select_related("area").prefetch_related("cylinders__product"),
        code=code,
    )


@office_required
def customer_list(request):
    form = CustomerFilterForm(request.GET)
    # The client list's customers first: households known only from the
    # history are many, and the office calls them less.
    customers = form.filter(Customer.objects.select_related("area"))
    customers = customers.only(*LIST_COLUMNS).order_by("origin", "code")
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))

    query = query_without(request, "page", "partial")
    context = {"form": form, "page": page, "query": query}
    if request.GET.get("partial"):
        return render(request, "customers/_customer_results.html", context)
    return render(request, "customers/customer_list.html", context)


@office_required
def customer_export(request):
    form = CustomerFilterForm(request.GET)
    customers = form.filter(Customer.objects.select_related("area")).order_by("code")
    filename = f"客戶資料-{today():%Y%m%d}.xlsx"
    return xlsx_response(
        filename, "客戶資料", client_list_headers(), client_list_rows(customers)
    )


@office_required
def customer_detail(request, code):
    customer = find_customer(code)

    filters = HistoryFilter(customer_id=customer.id)
    history = history_page(filters, request.GET.get("cursor", ""), HISTORY_PAGE_SIZE)
    if history.notice:
        messages.warning(request, history.notice)

    context = {
        "customer": customer,
        "history": history,
        "hours": range(8, 20),
        "weekdays": [
            (name, str(number) in customer.closed_weekdays)
            for number, name in WEEKDAY_NAMES.items()
        ],
        "week": cached_week_ahead(customer, today()),
        "postponements": customer.postponements.filter(to_date__gt=today())
        .select_related("created_by")
        .order_by("from_date", "created_at"),
    }
    return render(request, "customers/customer_detail.html", context)


@office_required
def customer_create(request):
    form = CustomerForm(request.POST or None)
    if form.is_valid():
        customer = form.save(commit=False)
        customer.origin = Customer.Origin.OFFICE
        customer.save()
        return saved(request, form, customer, "已新增客戶")
    return render(request, "customers/customer_form.html", {"form": form})


@office_required
def customer_edit(request, code):
    customer = find_customer(code)
    form = CustomerForm(request.POST or None, instance=customer)
    if form.is_valid():
        return saved(request, form, form.save(), "已儲存")
    context = {"form": form, "customer": customer}
    return render(request, "customers/customer_form.html", context)


def saved(request, form, customer, text):
    messages.success(request, f"{text}：{customer.code} {customer.display_name}")
    if form.unparsed_closed_days:
        unread = " ".join(form.unparsed_closed_days)
        messages.warning(request, f"公休日中「{unread}」無法自動判讀，請確認")
    return redirect(customer)
