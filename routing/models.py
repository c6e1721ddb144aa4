from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from deliveries.models import DeliveryRecord
from luckygas.dates import to_roc


class Driver(models.Model):
    code = models.CharField("業務員代號", max_length=10, unique=True)
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("電話", max_length=30, blank=True)
    is_active = models.BooleanField("在職", default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登入帳號",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="driver",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "司機"
        verbose_name_plural = "司機"
        indexes = [models.Index(fields=["is_active", "code"], name="idx_driver_active")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Vehicle(models.Model):
    class Kind(models.TextChoices):
        CAR = "car", "汽車"
        MOTORCYCLE = "motorcycle", "機車"

    plate = models.CharField("車牌", max_length=12, unique=True)
    kind = models.CharField("車種", max_length=10, choices=Kind.choices)
    is_active = models.BooleanField("使用中", default=True)

    class Meta:
        ordering = ["plate"]
        verbose_name = "車輛"
        verbose_name_plural = "車輛"

    def __str__(self):
        return f"{self.plate}（{self.get_kind_display()}）"


class Route(models.Model):
    """One run of one day: 南早, 北晚, 門市車, 外線…"""

    route_date = models.DateField("日期")
    route_code = models.CharField("車次", max_length=20)
    driver = models.ForeignKey(
        Driver, verbose_name="司機", on_delete=models.PROTECT, null=True, blank=True
    )
    vehicle = models.ForeignKey(
        Vehicle, verbose_name="車輛", on_delete=models.PROTECT, null=True, blank=True
    )
    start_time = models.TimeField("出車時間", null=True, blank=True)
    odometer_out = models.PositiveIntegerField("出車里程", null=True, blank=True)
    odometer_in = models.PositiveIntegerField("回車里程", null=True, blank=True)
    note = models.CharField("備註", max_length=200, blank=True)
    finished_at = models.DateTimeField("收車時間", null=True, blank=True)

    history = HistoricalRecords(
        verbose_name="車次修改歷史", verbose_name_plural="車次修改歷史"
    )

    class Meta:
        ordering = ["-route_date", "route_code"]
        verbose_name = "車次"
        verbose_name_plural = "車次"
        indexes = [
            models.Index(
                fields=["driver", "-route_date"], name="idx_route_driver_date"
            ),
            models.Index(fields=["-route_date", "route_code"], name="idx_route_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["route_date", "route_code"], name="uniq_route_date_code"
            )
        ]

    def __str__(self):
        return f"{to_roc(self.route_date)} {self.route_code}"

    def get_absolute_url(self):
        return reverse("routing:route", args=[self.pk])

    def get_driver_url(self):
        return reverse("routing:driver-route", args=[self.pk])


class RouteStop(models.Model):
    route = models.ForeignKey(
        Route, verbose_name="車次", on_delete=models.CASCADE, related_name="stops"
    )
    sequence = models.PositiveSmallIntegerField("順序")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name="客戶", on_delete=models.PROTECT
    )
    order = models.ForeignKey(
        "deliveries.Order",
        verbose_name="訂單",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    note = models.CharField("備註", max_length=200, blank=True)
    # What the driver recorded; blank while the stop is still to do.
    outcome = models.CharField(
        "結果", max_length=10, choices=DeliveryRecord.Outcome.choices, blank=True
    )
    completed_at = models.DateTimeField("完成時間", null=True, blank=True)
    # No database constraint: the delivery moves to the archive with its id.
    delivery = models.ForeignKey(
        "deliveries.Delivery",
        verbose_name="配送紀錄",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["route", "sequence"]
        verbose_name = "停靠點"
        verbose_name_plural = "停靠點"

    def __str__(self):
        return f"{self.route} #{self.sequence} {self.customer_id}"


class Postponement(models.Model):
    """A due customer, or an order, moved to a later day for a reason (延後名單)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name="客戶",
        on_delete=models.CASCADE,
        related_name="postponements",
    )
    order = models.ForeignKey(
        "deliveries.Order",
        verbose_name="訂單",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    from_date = models.DateField("原配送日")
    to_date = models.DateField("延至")
    reason = models.CharField("原因", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登記者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("登記時間", auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "延後"
        verbose_name_plural = "延後名單"
        indexes = [models.Index(fields=["to_date"], name="idx_postponement_to")]

    def __str__(self):
        return f"{self.customer_id} {self.from_date} → {self.to_date}"


class CustomerForecast(models.Model):
    """A customer's next delivery as learned from their history
    (routing.forecast), stored by the nightly refresh_forecasts."""

    class Confidence(models.TextChoices):
        HIGH = "高", "高"
        MEDIUM = "中", "中"
        LOW = "低", "低"

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name="客戶",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="forecast",
    )
    last_delivery = models.DateField("上次配送")
    # Last delivery + the learned rhythm: past it the customer is overdue.
    due_date = models.DateField("依節奏應送日")
    # As seen the evening before the refresh, nothing delivered since.
    next_date = models.DateField("預測配送日")
    low_date = models.DateField("最早")
    high_date = models.DateField("最晚")
    interval_days = models.FloatField("學到的週期（天）")
    intervals = models.PositiveIntegerField("依據的間隔數")
    confidence = models.CharField("信心", max_length=1, choices=Confidence.choices)
    refreshed_at = models.DateTimeField("更新時間")

    class Meta:
        verbose_name = "配送預測"
        verbose_name_plural = "配送預測"
        indexes = [models.Index(fields=["next_date"], name="idx_forecast_next")]

    def __str__(self):
        return f"{self.customer_id} → {to_roc(self.next_date)}"
