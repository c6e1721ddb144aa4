from django.contrib import admin
from import_export import fields, widgets
from simple_history.admin import SimpleHistoryAdmin

from customers.models import Customer
from deliveries.models import (
    Delivery,
    DeliveryHistory,
    DeliveryHistoryItem,
    DeliveryItem,
    Order,
    OrderItem,
    Product,
    ProductPrice,
)
from luckygas.admin import ChineseHeadersResource, SmallFileImportAdmin


class ProductPriceInline(admin.TabularInline):
    model = ProductPrice
    extra = 1


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    inlines = [ProductPriceInline]
    list_display = [
        "name",
        "code",
        "sheet_column",
        "kg",
        "is_flow",
        "counts_in_cylinder_total",
    ]
    list_filter = ["is_flow", "counts_in_cylinder_total"]


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin):
    list_display = [
        "id",
        "order_date",
        "customer",
        "status",
        "requested_date",
        "time_slot",
    ]
    list_filter = ["status", "order_date", "time_slot"]
    search_fields = ["=customer__code", "customer__short_name"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "created_by"]
    date_hierarchy = "order_date"
    inlines = [OrderItemInline]


class DeliveryResource(ChineseHeadersResource):
    customer = fields.Field(
        attribute="customer",
        column_name="客戶",
        widget=widgets.ForeignKeyWidget(Customer, field="code"),
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "customer",
            "delivery_date",
            "outcome",
            "total_amount",
            "cash_collected",
            "gas_returned_kg",
            "note",
            "source",
        ]
        clean_model_instances = True


class DeliveryItemInline(admin.TabularInline):
    model = DeliveryItem
    extra = 0


class LargeTableAdmin(admin.ModelAdmin):
    """A changelist that stays fast on hundreds of thousands of rows."""

    list_display = ["id", "delivery_date", "customer", "driver", "outcome", "source"]
    list_filter = ["source", "outcome", "delivery_date"]
    search_fields = ["customer__code"]
    search_help_text = "輸入完整客戶代碼"
    list_select_related = ["customer", "driver"]
    list_per_page = 50
    raw_id_fields = ["customer", "driver", "route", "order"]
    show_full_result_count = False
    ordering = ["-delivery_date", "-id"]

    def get_search_results(self, request, queryset, search_term):
        # The exact code only: the admin's own search would compare with LIKE
        # or UPPER() and read every delivery instead of one customer's.
        code = search_term.strip()
        if not code:
            return queryset, False
        return queryset.filter(customer__code=code), False


@admin.register(Delivery)
class DeliveryAdmin(SimpleHistoryAdmin, SmallFileImportAdmin, LargeTableAdmin):
    resource_classes = [DeliveryResource]
    import_command = "import_deliveries"
    import_headers = ["客戶", "配送日"]
    inlines = [DeliveryItemInline]

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("customer")


class DeliveryHistoryItemInline(admin.TabularInline):
    model = DeliveryHistoryItem
    extra = 0


@admin.register(DeliveryHistory)
class DeliveryHistoryAdmin(LargeTableAdmin):
    inlines = [DeliveryHistoryItemInline]
