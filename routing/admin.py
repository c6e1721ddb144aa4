from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from routing.models import (
    CustomerForecast,
    Driver,
    Postponement,
    Route,
    RouteStop,
    Vehicle,
)


@admin.register(Driver)
class DriverAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone", "is_active", "user"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["user"]


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ["plate", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["plate"]


class RouteStopInline(admin.TabularInline):
    model = RouteStop
    extra = 0
    raw_id_fields = ["customer", "order", "delivery"]


@admin.register(Route)
class RouteAdmin(SimpleHistoryAdmin):
    list_display = [
        "route_date",
        "route_code",
        "driver",
        "vehicle",
        "start_time",
        "finished_at",
    ]
    list_filter = ["route_code", "driver"]
    list_select_related = ["driver", "vehicle"]
    date_hierarchy = "route_date"
    inlines = [RouteStopInline]


@admin.register(RouteStop)
class RouteStopAdmin(admin.ModelAdmin):
    list_display = ["route", "sequence", "customer", "order", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["route", "customer"]
    raw_id_fields = ["route", "customer", "order", "delivery"]


@admin.register(Postponement)
class PostponementAdmin(admin.ModelAdmin):
    list_display = ["customer", "from_date", "to_date", "reason", "created_by"]
    list_filter = ["to_date"]
    search_fields = ["=customer__code", "reason"]
    list_select_related = ["customer", "created_by"]
    raw_id_fields = ["customer", "order", "created_by"]


@admin.register(CustomerForecast)
class CustomerForecastAdmin(admin.ModelAdmin):
    """What refresh_forecasts stored, to read: the next refresh rewrites it."""

    list_display = [
        "customer",
        "last_delivery",
        "due_date",
        "next_date",
        "low_date",
        "high_date",
        "confidence",
        "intervals",
        "refreshed_at",
    ]
    list_filter = ["confidence", "customer__origin", "next_date"]
    search_fields = [
        "=customer__code",
        "customer__short_name",
        "customer__invoice_title",
    ]
    list_select_related = ["customer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
