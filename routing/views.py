import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from customers.models import Customer
from deliveries.models import Order
from luckygas.dates import to_roc, today
from luckygas.roles import office_required
from routing import due
from routing.forms import DueListForm, PostponeForm


@office_required
def due_list(request):
    form = DueListForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("day") or today() + dt.timedelta(days=1)

    entries = due.due_list(day, data.get("group", ""), data.get("vehicle"))

    context = {"form": form, "day": day, "entries": entries}
    return render(request, "routing/due_list.html", context)


@office_required
def postpone(request):
    form = PostponeForm(request.POST or None)
    if request.method != "POST":
        return redirect(reverse("routing:due"))
    if not form.is_valid():
        errors = "；".join(error for errors in form.errors.values() for error in errors)
        messages.error(request, f"沒有延後：{errors}")
        return redirect(reverse("routing:due"))

    data = form.cleaned_data
    customer = get_object_or_404(Customer, code=data["customer"])
    order = None
    if data["order"]:
        order = get_object_or_404(
            Order, pk=data["order"], customer=customer, status=Order.Status.OPEN
        )
    due.postpone(
        customer, data["day"], data["to_date"], data["reason"], request.user, order
    )
    to_date = to_roc(data["to_date"])
    messages.success(
        request, f"已延後：{customer.code} {customer.display_name} 改為 {to_date}"
    )
    return redirect(f"{reverse('routing:due')}?day={to_roc(data['day'])}")
