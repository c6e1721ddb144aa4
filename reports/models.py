"""The report summaries as models to query, and the record of their refresh.

The summaries are materialized views on PostgreSQL and tables on SQLite,
created by this app's migrations (see `reports.summaries`); Django does not
manage them. A driver, run or area of 0 stands for none.
"""

from django.db import models


class DeliverySums(models.Model):
    deliveries = models.IntegerField("配送次數")
    priced = models.IntegerField("有金額的次數")
    amount = models.DecimalField("金額", max_digits=14, decimal_places=0)
    cash = models.DecimalField("收現", max_digits=14, decimal_places=0)
    returned_kg = models.DecimalField("退氣公斤", max_digits=12, decimal_places=1)
    weighed = models.IntegerField("有瓶數的次數")
    cylinders = models.IntegerField("瓶數")
    kg = models.IntegerField("公斤")

    class Meta:
        abstract = True


class DayFigures(DeliverySums):
    pk = models.CompositePrimaryKey(
        "day", "driver_id", "route_id", "area_id", "settlement"
    )
    day = models.DateField()
    driver_id = models.IntegerField()
    route_id = models.IntegerField()
    area_id = models.IntegerField()
    settlement = models.CharField(max_length=10)

    class Meta:
        managed = False
        db_table = "reports_day_figures"

    def __str__(self):
        return f"{self.day} 司機 {self.driver_id} 車次 {self.route_id}"


class MonthFigures(DeliverySums):
    pk = models.CompositePrimaryKey("month", "area_id", "settlement")
    month = models.DateField()
    area_id = models.IntegerField()
    settlement = models.CharField(max_length=10)

    class Meta:
        managed = False
        db_table = "reports_month_figures"

    def __str__(self):
        return f"{self.month:%Y-%m} 區域 {self.area_id}"


class DayProducts(models.Model):
    pk = models.CompositePrimaryKey("day", "driver_id", "route_id", "product_id")
    day = models.DateField()
    driver_id = models.IntegerField()
    route_id = models.IntegerField()
    product_id = models.IntegerField()
    cylinders = models.IntegerField()
    kg = models.IntegerField()
    empties = models.IntegerField()
    priced = models.IntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=0)

    class Meta:
        managed = False
        db_table = "reports_day_products"

    def __str__(self):
        return f"{self.day} 產品 {self.product_id}"


class CustomerMonths(DeliverySums):
    pk = models.CompositePrimaryKey("customer_id", "month")
    customer_id = models.IntegerField()
    month = models.DateField()

    class Meta:
        managed = False
        db_table = "reports_customer_months"

    def __str__(self):
        return f"客戶 {self.customer_id} {self.month:%Y-%m}"


class Refresh(models.Model):
    """When the summaries were last refreshed, and how long it took."""

    finished_at = models.DateTimeField("完成時間")
    seconds = models.FloatField("耗時（秒）")
    trigger = models.CharField("觸發", max_length=50)

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = "報表更新"
        verbose_name_plural = "報表更新"
        indexes = [models.Index(fields=["-finished_at"], name="idx_refresh_finished")]

    def __str__(self):
        return f"{self.finished_at:%Y-%m-%d %H:%M}"


class ConsumptionFlag(models.Model):
    """A month in which a customer's usage or returned gas strayed far from
    their own norm; recomputed by each refresh."""

    class Kind(models.TextChoices):
        HIGH = "high", "用量偏高"
        LOW = "low", "用量偏低"
        RETURNED = "returned", "退氣偏高"

    customer = models.ForeignKey(
        "customers.Customer", verbose_name="客戶", on_delete=models.CASCADE
    )
    month = models.DateField("月份")
    kind = models.CharField("異常", max_length=10, choices=Kind.choices)
    measure = models.CharField("依據", max_length=10)
    value = models.FloatField("當月")
    norm = models.FloatField("平常")

    class Meta:
        ordering = ["-month", "customer__code"]
        verbose_name = "用量異常"
        verbose_name_plural = "用量異常"
        indexes = [models.Index(fields=["-month", "kind"], name="idx_flag_month")]

    def __str__(self):
        return f"{self.customer_id} {self.month:%Y-%m} {self.get_kind_display()}"
