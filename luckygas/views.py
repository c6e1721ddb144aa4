from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from luckygas.roles import is_office


@login_required
def home(request):
    """Office staff start at the customer list, drivers at today's runs."""
    if is_office(request.user):
        return redirect("customers:list")
    return redirect("routing:driver")
