from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from customers.models import Area, Customer
from deliveries.models import latest_deliveries
from luckygas.roles import office_required

PAGE_SIZE = 50
LATEST_DELIVERIES = 20


@office_required
def customer_list(request):
    query = request.GET.get("q", "").strip()
    area_code = request.GET.get("area", "")

    customers = Customer.objects.select_related("area").search(query)
    if area_code:
        customers = customers.filter(area__code=area_code)

    page = Paginator(customers.order_by("code"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )

    context = {
        "page": page,
        "query": query,
        "areas": Area.objects.all(),
        "area_code": area_code,
    }
    return render(request, "customers/customer_list.html", context)


@office_required
def customer_detail(request, code):
    customer = get_object_or_404(
        Customer.objects.select_related("area").prefetch_related("cylinders__product"),
        code=code,
    )

    context = {
        "customer": customer,
        "deliveries": latest_deliveries(customer, LATEST_DELIVERIES),
    }
    return render(request, "customers/customer_detail.html", context)
