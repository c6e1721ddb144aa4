import unicodedata

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from customers.parsing import parse_closed_days

WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}
LUNAR_DAY_NAMES = {"1": "初一", "15": "十五"}


class Area(models.Model):
    class Group(models.TextChoices):
        SOUTH = "south", "南區"
        NORTH = "north", "北區"
        OUTER = "outer", "外線"

    code = models.CharField("代號", max_length=1, unique=True)
    name = models.CharField("名稱", max_length=20)
    group = models.CharField("區塊", max_length=5, choices=Group.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = "區域"
        verbose_name_plural = "區域"

    def __str__(self):
        return f"{self.code}-{self.name}"


class CustomerQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(terminated=True)

    def search(self, text):
        """Customers whose code starts with the text, or whose name, address or
        phone holds it; digits also match codes by their start."""
        text = fold(text)
        if not text:
            return self
        if text.replace(" ", "").isdigit():
            digits = text.replace(" ", "")
            return self.filter(
                models.Q(code__startswith=digits)
                | models.Q(search_text__contains=digits)
            )
        return self.filter(search_text__contains=text)


def fold(text):
    """Text as searched: full-width letters and digits made plain, lower case,
    台 written 臺 as the addresses mostly do."""
    return unicodedata.normalize("NFKC", text).strip().lower().replace("台", "臺")


def search_text(*parts):
    """One folded column to search: a single LIKE instead of four ILIKEs."""
    return fold(" ".join(part for part in parts if part))


class Customer(models.Model):
    """A customer of the client list, or one known only from the history."""

    class Origin(models.TextChoices):
        CLIENT_LIST = "client_list", "客戶資料"
        HISTORY = "history", "僅見於配送紀錄"
        OFFICE = "office", "辦公室新增"

    class Pricing(models.TextChoices):
        CYLINDER = "cylinder", "桶裝"
        FLOW = "flow", "流量"
        CYLINDER_CASH = "cylinder_cash", "桶裝現金"

    class Settlement(models.TextChoices):
        MONTHLY = "monthly", "月結"
        CASH = "cash", "現金"

    class TimeSlot(models.IntegerChoices):
        ALL_DAY = 0, "全天"
        MORNING = 1, "早"
        AFTERNOON = 2, "午"
        EVENING = 3, "晚"

    class Vehicle(models.IntegerChoices):
        EITHER = 0, "皆可"
        CAR = 1, "汽車"
        MOTORCYCLE = 2, "機車"

    class Ownership(models.TextChoices):
        COMPANY = "company", "有"
        CUSTOMER = "customer", "客戶自有"

    class Kind(models.TextChoices):
        SCHOOL = "school", "學校"
        MARKET = "market", "市場"
        NIGHT_MARKET = "night_market", "夜市"
        FOOD_TRUCK = "food_truck", "餐車"
        BANQUET = "banquet", "辦桌"

    # Identity
    code = models.CharField("客戶代碼", max_length=10, unique=True)
    invoice_title = models.CharField("電子發票抬頭", max_length=200, blank=True)
    short_name = models.CharField("客戶簡稱", max_length=100, blank=True)
    address = models.CharField("地址", max_length=300, blank=True)
    phone = models.CharField("電話", max_length=50, blank=True)
    origin = models.CharField(
        "來源", max_length=12, choices=Origin.choices, default=Origin.OFFICE
    )

    # Cylinders on site: the per-product counts are CustomerCylinder rows.
    cylinder_expression = models.CharField("系統上鋼瓶數量", max_length=100, blank=True)
    cylinder_expression_counts = models.JSONField(
        "系統上鋼瓶數量（解析）", null=True, blank=True
    )

    # Billing
    pricing = models.CharField(
        "計價方式", max_length=15, choices=Pricing.choices, blank=True
    )
    settlement = models.CharField(
        "結帳方式", max_length=10, choices=Settlement.choices, blank=True
    )
    needs_billing_file = models.BooleanField("結帳用檔案", null=True, blank=True)
    subscription_member = models.BooleanField("訂閱式會員", null=True, blank=True)

    # Flags: True for V, False for an explicit X, None for a blank cell.
    has_alarm = models.BooleanField("發報", null=True, blank=True)
    on_patrol = models.BooleanField("排巡", null=True, blank=True)
    patrol_note = models.CharField("排巡說明", max_length=50, blank=True)
    equipment_bought_out = models.BooleanField("設備客戶買斷", null=True, blank=True)
    equipment_bought_out_note = models.CharField(
        "設備客戶買斷說明", max_length=100, blank=True
    )
    terminated = models.BooleanField("已解約", null=True, blank=True)
    same_day_delivery = models.BooleanField("需要當天配送", null=True, blank=True)

    # When they can receive gas
    open_hours = models.JSONField(
        "營業時段",
        default=list,
        blank=True,
        help_text="可收貨的整點，例如 [8, 9] 即 8~10 點",
    )
    time_slot = models.PositiveSmallIntegerField(
        "時段", choices=TimeSlot.choices, null=True, blank=True
    )
    closed_days_text = models.CharField("公休日", max_length=50, blank=True)
    closed_weekdays = models.CharField(
        "公休星期", max_length=7, blank=True, help_text="1 為星期一，7 為星期日"
    )
    closed_on_public_holidays = models.BooleanField("見紅休", default=False)
    closed_lunar_days = models.CharField("公休農曆日", max_length=10, blank=True)
    closed_month_days = models.CharField("公休每月日期", max_length=90, blank=True)
    closed_days_unparsed = models.CharField(
        "公休日待確認",
        max_length=50,
        blank=True,
        help_text="無法自動判讀、需人工確認的部分",
    )

    # Consumption figures, kept as the sheet computed them.
    status_text = models.CharField("狀態", max_length=50, blank=True)
    monthly_kg = models.FloatField("月配送量", null=True, blank=True)
    returned_kg = models.FloatField("退氣", null=True, blank=True)
    net_kg = models.FloatField("實際購買公斤數", null=True, blank=True)
    returned_ratio = models.FloatField("退氣比例", null=True, blank=True)
    daily_kg = models.FloatField("平均日使用", null=True, blank=True)
    connected_kg = models.FloatField("串接數量", null=True, blank=True)
    reserve_kg = models.FloatField("備用量", null=True, blank=True)
    max_cycle_days = models.FloatField("最大週期", null=True, blank=True)
    slip_days = models.FloatField("可延後天數", null=True, blank=True)
    urgency_score = models.FloatField("是否需要當天去", null=True, blank=True)

    # Logistics
    area = models.ForeignKey(
        Area, verbose_name="區域", on_delete=models.PROTECT, null=True, blank=True
    )
    area_text = models.CharField("區域（原文）", max_length=30, blank=True)
    vehicle = models.PositiveSmallIntegerField(
        "車種", choices=Vehicle.choices, null=True, blank=True
    )
    supply_points = models.PositiveSmallIntegerField(
        "單一區域供應", null=True, blank=True
    )
    usage_area_1 = models.CharField("第一使用區域(串接)", max_length=100, blank=True)
    usage_area_2 = models.CharField("第二使用區域", max_length=100, blank=True)
    usage_area_3 = models.CharField("第三使用區域", max_length=100, blank=True)
    usage_area_4 = models.CharField("第四使用區域", max_length=100, blank=True)
    usage_area_5 = models.CharField("第五使用區域", max_length=100, blank=True)
    spare_cylinders = models.CharField("預備桶", max_length=50, blank=True)
    spare_cylinder_count = models.PositiveSmallIntegerField(
        "預備桶數", null=True, blank=True
    )
    site_declaration = models.CharField("串接場所申報", max_length=50, blank=True)

    # Equipment on site
    flow_meter = models.CharField(
        "流量表", max_length=10, choices=Ownership.choices, blank=True
    )
    wired_flow_meter = models.CharField(
        "帶線流量錶", max_length=10, choices=Ownership.choices, blank=True
    )
    switcher = models.CharField(
        "切替器", max_length=10, choices=Ownership.choices, blank=True
    )
    wired_switcher = models.CharField(
        "帶線切替器", max_length=10, choices=Ownership.choices, blank=True
    )
    contact_pressure_gauge = models.CharField(
        "接點式壓力錶", max_length=10, choices=Ownership.choices, blank=True
    )
    differential_switch = models.CharField(
        "壓差開關", max_length=10, choices=Ownership.choices, blank=True
    )
    micro_switch = models.CharField(
        "微動開關", max_length=10, choices=Ownership.choices, blank=True
    )
    yongsheng_device = models.CharField(
        "永勝", max_length=10, choices=Ownership.choices, blank=True
    )
    smart_scale = models.CharField(
        "智慧秤", max_length=10, choices=Ownership.choices, blank=True
    )
    switcher_model = models.CharField("切替器型號", max_length=100, blank=True)
    kind = models.CharField("類型", max_length=15, choices=Kind.choices, blank=True)

    search_text = models.TextField(editable=False, default="")
    raw_row = models.JSONField("匯入原始資料", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("建立時間", auto_now_add=True)
    updated_at = models.DateTimeField("更新時間", auto_now=True)

    objects = CustomerQuerySet.as_manager()

    # Who changed what, and when (the admin's 歷史); imports, written in bulk,
    # are recorded by their summary line instead.
    history = HistoricalRecords(
        excluded_fields=["search_text", "raw_row"],
        verbose_name="客戶修改歷史",
        verbose_name_plural="客戶修改歷史",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "客戶"
        verbose_name_plural = "客戶"
        indexes = [
            # The unique constraint serves equality; this one serves the
            # prefix search (LIKE '19%') whatever the database collation.
            models.Index(
                fields=["code"],
                name="idx_customer_code",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["area"], name="idx_customer_area"),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def save(self, *args, **kwargs):
        self.search_text = search_text(*self.searched_values())
        if kwargs.get("update_fields"):
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.code])

    def searched_values(self):
        return self.code, self.short_name, self.invoice_title, self.address, self.phone

    @property
    def display_name(self):
        return self.short_name or self.invoice_title or "（無名稱）"

    def set_closed_days(self, value):
        """Store the 公休日 cell and the rules read from it; return what is unread."""
        rules = parse_closed_days(value)
        self.closed_days_text = rules.text
        self.closed_weekdays = "".join(str(day) for day in sorted(rules.weekdays))
        self.closed_on_public_holidays = rules.public_holidays
        self.closed_lunar_days = ",".join(str(day) for day in sorted(rules.lunar_days))
        self.closed_month_days = ",".join(str(day) for day in sorted(rules.month_days))
        self.closed_days_unparsed = " ".join(rules.unparsed)
        return rules.unparsed

    @property
    def open_hours_display(self):
        """[8, 9, 10, 13] -> '8~11、13~14'."""
        spans, hours = [], sorted(self.open_hours or [])
        for hour in hours:
            if spans and spans[-1][1] == hour:
                spans[-1][1] = hour + 1
            else:
                spans.append([hour, hour + 1])
        return "、".join(f"{start}~{end}" for start, end in spans)

    @property
    def closed_days_display(self):
        parts = []
        if self.closed_weekdays:
            parts.append(
                "、".join(
                    f"星期{WEEKDAY_NAMES[int(day)]}" for day in self.closed_weekdays
                )
            )
        if self.closed_on_public_holidays:
            parts.append("國定假日")
        if self.closed_lunar_days:
            days = self.closed_lunar_days.split(",")
            parts.append(
                "農曆" + "、".join(LUNAR_DAY_NAMES.get(day, day) for day in days)
            )
        if self.closed_month_days:
            parts.append(f"每月 {self.closed_month_days.replace(',', '、')} 日")
        if self.closed_days_unparsed:
            parts.append(f"待確認：{self.closed_days_unparsed}")
        return "；".join(parts)

    @property
    def usage_areas(self):
        return [
            area
            for area in (
                self.usage_area_1,
                self.usage_area_2,
                self.usage_area_3,
                self.usage_area_4,
                self.usage_area_5,
            )
            if area
        ]


class CustomerCylinder(models.Model):
    """How many cylinders of one product stand at a customer's site."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="cylinders"
    )
    product = models.ForeignKey("deliveries.Product", on_delete=models.PROTECT)
    quantity = models.PositiveSmallIntegerField("數量")

    class Meta:
        ordering = ["product__sort_order"]
        verbose_name = "現場鋼瓶"
        verbose_name_plural = "現場鋼瓶"
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product"], name="uniq_customer_cylinder_product"
            )
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"
