import json

from django.contrib import admin
from django.utils.html import format_html
from import_export import fields, widgets
from simple_history.admin import SimpleHistoryAdmin

from customers.models import Area, Customer, CustomerCylinder
from luckygas.admin import ChineseHeadersResource, SmallFileImportAdmin


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group"]
    list_filter = ["group"]


class CustomerResource(ChineseHeadersResource):
    area = fields.Field(
        attribute="area",
        column_name="區域",
        widget=widgets.ForeignKeyWidget(Area, field="code"),
    )

    class Meta:
        model = Customer
        import_id_fields = ["code"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        exclude = ["id", "raw_row", "created_at", "updated_at"]


class CustomerCylinderInline(admin.TabularInline):
    model = CustomerCylinder
    extra = 0


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin, SmallFileImportAdmin):
    resource_classes = [CustomerResource]
    import_command = "import_customers"
    import_headers = ["客戶代碼"]
    list_display = [
        "code",
        "short_name",
        "invoice_title",
        "area",
        "pricing",
        "settlement",
        "terminated",
        "origin",
    ]
    list_filter = ["area", "pricing", "settlement", "terminated", "origin", "kind"]
    search_fields = ["=code", "short_name", "invoice_title", "address"]
    list_select_related = ["area"]
    readonly_fields = ["raw_row_table", "created_at", "updated_at"]
    inlines = [CustomerCylinderInline]
    fieldsets = [
        (
            "基本資料",
            {
                "fields": [
                    "code",
                    "invoice_title",
                    "short_name",
                    "address",
                    "origin",
                    "kind",
                    "terminated",
                ]
            },
        ),
        (
            "計價與結帳",
            {
                "fields": [
                    "pricing",
                    "settlement",
                    "needs_billing_file",
                    "subscription_member",
                ]
            },
        ),
        (
            "鋼瓶",
            {
                "fields": [
                    "cylinder_expression",
                    "cylinder_expression_counts",
                    "spare_cylinders",
                    "spare_cylinder_count",
                ]
            },
        ),
        (
            "配送時間",
            {
                "fields": [
                    "open_hours",
                    "time_slot",
                    "closed_days_text",
                    "closed_weekdays",
                    "closed_on_public_holidays",
                    "closed_lunar_days",
                    "closed_month_days",
                    "closed_days_unparsed",
                    "same_day_delivery",
                ]
            },
        ),
        (
            "物流",
            {
                "fields": [
                    "area",
                    "area_text",
                    "vehicle",
                    "supply_points",
                    "on_patrol",
                    "patrol_note",
                    "has_alarm",
                ]
            },
        ),
        (
            "用量",
            {
                "fields": [
                    "monthly_kg",
                    "returned_kg",
                    "net_kg",
                    "returned_ratio",
                    "daily_kg",
                    "connected_kg",
                    "reserve_kg",
                    "max_cycle_days",
                    "slip_days",
                    "urgency_score",
                    "status_text",
                ]
            },
        ),
        (
            "設備",
            {
                "fields": [
                    "flow_meter",
                    "wired_flow_meter",
                    "switcher",
                    "wired_switcher",
                    "contact_pressure_gauge",
                    "differential_switch",
                    "micro_switch",
                    "yongsheng_device",
                    "smart_scale",
                    "switcher_model",
                    "equipment_bought_out",
                    "equipment_bought_out_note",
                    "usage_area_1",
                    "usage_area_2",
                    "usage_area_3",
                    "usage_area_4",
                    "usage_area_5",
                    "site_declaration",
                ]
            },
        ),
        (
            "匯入紀錄",
            {
                "classes": ["collapse"],
                "fields": ["raw_row_table", "created_at", "updated_at"],
            },
        ),
    ]

    @admin.display(description="匯入原始資料")
    def raw_row_table(self, customer):
        if not customer.raw_row:
            return "—"
        return format_html(
            "<pre>{}</pre>", json.dumps(customer.raw_row, ensure_ascii=False, indent=1)
        )
