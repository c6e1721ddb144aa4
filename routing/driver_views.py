"""The driver's pages, made for a phone: today's runs, each stop, the end of a run."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from deliveries.models import Delivery, Product
from luckygas.dates import today
from luckygas.roles import driver_required
from routing import recording, runs
from routing.forms import OdometerForm, StopRecordForm
from routing.models import RouteStop

ALREADY_RECORDED = "這一站已經記錄過了，沒有重複記錄"


def stop_on_route(stop):
    return f"{stop.route.get_driver_url()}#stop-{stop.pk}"


def open_days():
    """Today, and yesterday for a run still out when the day changed."""
    return [today(), today() - dt.timedelta(days=1)]


def own_routes(driver):
    """The driver's runs of today, and of yesterday if not yet finished."""
    yesterday = today() - dt.timedelta(days=1)
    return (
        runs.routes_of_days(open_days())
        .filter(driver=driver)
        .exclude(route_date=yesterday, finished_at__isnull=False)
    )


def own_route(driver, route_id):
    """One of the driver's open runs; anyone else's is not found."""
    return get_object_or_404(own_routes(driver), pk=route_id)


@driver_required
def today_routes(request, driver):
    routes = runs.with_progress(own_routes(driver))
    context = {"driver": driver, "routes": routes, "day": today()}
    return render(request, "routing/driver/today.html", context)


@driver_required
def route(request, driver, route_id):
    route = own_route(driver, route_id)
    planned = runs.planned_stops(route)
    context = {
        "route": route,
        "planned": planned,
        "next_stop": next((entry for entry in planned if not entry.stop.outcome), None),
        "maps_links": runs.directions_links(
            [entry.customer.address for entry in planned if not entry.stop.outcome]
        ),
        "summary": recording.route_summary(route, [entry.stop for entry in planned]),
    }
    if route.finished_at is None:
        context["finish_form"] = OdometerForm(at_least=route.odometer_out)
    return render(request, "routing/driver/route.html", context)


@driver_required
def stop(request, driver, stop_id):
    stop = get_object_or_404(
        RouteStop.objects.select_related("route", "customer", "order"),
        pk=stop_id,
        route__in=own_routes(driver),
    )
    items = runs.expected_items([stop])[stop.pk]
    expected = {product.pk: quantity for product, quantity in items}
    products = sorted(Product.objects.all(), key=lambda p: p.pk not in expected)
    form_args = {
        "products": products,
        "expected": expected,
        "day": stop.route.route_date,
    }

    form = StopRecordForm(request.POST or None, **form_args)
    if request.method == "POST":
        if stop.outcome:
            messages.info(request, ALREADY_RECORDED)
            return redirect(stop_on_route(stop))
        if stop.route.finished_at:
            messages.error(request, "這個車次已經收車，不能再記錄；請打電話回辦公室")
            return redirect(stop_on_route(stop))
        if form.is_valid():
            stop, recorded = recording.record_stop(
                stop.pk, form.cleaned_data, request.user
            )
            if recorded:
                outcome = stop.get_outcome_display()
                messages.success(
                    request, f"已記錄：{stop.customer.display_name} {outcome}"
                )
            else:
                messages.info(request, ALREADY_RECORDED)
            return redirect(stop_on_route(stop))
    context = {
        "stop": stop,
        "delivery": Delivery.objects.prefetch_related("items__product")
        .filter(pk=stop.delivery_id)
        .first(),
        "form": form,
        "expected": expected,
        "place_link": runs.place_link(stop.customer.address),
    }
    return render(request, "routing/driver/stop.html", context)


@driver_required
@require_POST
def start_route(request, driver, route_id):
    route = own_route(driver, route_id)
    form = OdometerForm(request.POST)
    if route.finished_at is not None:
        messages.error(request, "這個車次已經收車，出車里程不能再改")
    elif form.is_valid():
        route.odometer_out = form.cleaned_data["odometer"]
        route.save(update_fields=["odometer_out"])
        messages.success(request, f"出車里程 {route.odometer_out} 公里，路上小心")
    else:
        messages.error(request, f"出車里程沒有記錄：{form.errors['odometer'][0]}")
    return redirect(route.get_driver_url())


@driver_required
@require_POST
def finish_route(request, driver, route_id):
    route = own_route(driver, route_id)
    form = OdometerForm(request.POST, at_least=route.odometer_out)
    if route.finished_at is not None:
        messages.info(request, "這個車次已經收車")
    elif form.is_valid():
        recording.finish_route(route, form.cleaned_data["odometer"])
        messages.success(request, f"已收車：{route.route_code}，辛苦了")
    else:
        messages.error(request, f"回車里程沒有記錄：{form.errors['odometer'][0]}")
    return redirect(f"{route.get_driver_url()}#summary")
