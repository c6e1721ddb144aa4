from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from customers.models import Customer
from luckygas.dates import to_roc, today


class Product(models.Model):
    """A cylinder type; the rows are created by a data migration."""

    code = models.SlugField("代號", max_length=20, unique=True)
    name = models.CharField("名稱", max_length=20)
    sheet_column = models.CharField("客戶資料欄位", max_length=20, unique=True)
    kg = models.PositiveSmallIntegerField("公斤")
    is_flow = models.BooleanField("流量計價", default=False)
    counts_in_cylinder_total = models.BooleanField("計入派遣單瓶數", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = "產品"
        verbose_name_plural = "產品"

    def __str__(self):
        return self.name


class ProductPriceQuerySet(models.QuerySet):
    def in_force(self, day):
        """{product id: price per cylinder} of the prices in force on the day."""
        prices = {}
        for price in self.filter(valid_from__lte=day).order_by("valid_from"):
            prices[price.product_id] = price.unit_price
        return prices


class ProductPrice(models.Model):
    """A product's price per cylinder from a day on, until the next one."""

    product = models.ForeignKey(
        Product, verbose_name="產品", on_delete=models.PROTECT, related_name="prices"
    )
    valid_from = models.DateField("生效日")
    unit_price = models.DecimalField(
        "每瓶單價", max_digits=8, decimal_places=0, validators=[MinValueValidator(0)]
    )

    objects = ProductPriceQuerySet.as_manager()

    class Meta:
        ordering = ["product__sort_order", "-valid_from"]
        verbose_name = "產品單價"
        verbose_name_plural = "產品單價"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "valid_from"], name="uniq_price_product_day"
            )
        ]

    def __str__(self):
        return f"{self.product} {self.unit_price} 元（{self.valid_from} 起）"


class Order(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待配送"
        DELIVERED = "delivered", "已配送"
        CANCELLED = "cancelled", "已取消"

    customer = models.ForeignKey(
        Customer, verbose_name="客戶", on_delete=models.PROTECT, related_name="orders"
    )
    order_date = models.DateField("訂購日", default=today)
    status = models.CharField(
        "狀態", max_length=10, choices=Status.choices, default=Status.OPEN
    )
    requested_date = models.DateField("指定配送日", null=True, blank=True)
    time_slot = models.PositiveSmallIntegerField(
        "時段", choices=Customer.TimeSlot.choices, null=True, blank=True
    )
    note = models.TextField("備註", blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    # The form's one-time token: a double click or a resent form saves once.
    request_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="建立者",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("建立時間", auto_now_add=True)
    updated_at = models.DateTimeField("更新時間", auto_now=True)

    history = HistoricalRecords(
        verbose_name="訂單修改歷史", verbose_name_plural="訂單修改歷史"
    )

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = "訂單"
        verbose_name_plural = "訂單"
        indexes = [
            models.Index(
                fields=["customer", "status"], name="idx_order_customer_status"
            ),
            models.Index(
                fields=["-order_date", "status"], name="idx_order_date_status"
            ),
            # The order list of a day, and the due list's open orders up to one.
            models.Index(
                fields=["requested_date", "status"], name="idx_order_requested"
            ),
            models.Index(
                fields=["status", "requested_date"], name="idx_order_open_until"
            ),
        ]

    def __str__(self):
        return f"訂單 {self.pk}（{self.customer.code}）"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, verbose_name="產品", on_delete=models.PROTECT)
    quantity = models.PositiveSmallIntegerField("數量")

    class Meta:
        verbose_name = "訂購品項"
        verbose_name_plural = "訂購品項"
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product"], name="uniq_order_product"
            )
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"


class DeliveryRecord(models.Model):
    """The columns a delivery has, whether active or archived."""

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", "已送達"
        ABSENT = "absent", "客戶不在"
        CANCELLED = "cancelled", "現場取消"
        POSTPONED = "postponed", "延後"

    class Source(models.TextChoices):
        IMPORT = "import", "舊系統匯入"
        APP = "app", "本系統"

    # The foreign keys have no plain index: (customer, date, id) serves the
    # customer, and partial indexes serve the others, since the hundreds of
    # thousands of imported deliveries have no driver, route or order.
    customer = models.ForeignKey(
        Customer,
        verbose_name="客戶",
        on_delete=models.PROTECT,
        related_name="%(class)s_records",
        db_index=False,
    )
    delivery_date = models.DateField("配送日")
    delivered_at = models.DateTimeField("送達時間", null=True, blank=True)
    driver = models.ForeignKey(
        "routing.Driver",
        verbose_name="司機",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    route = models.ForeignKey(
        "routing.Route",
        verbose_name="車次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    order = models.ForeignKey(
        Order,
        verbose_name="訂單",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    outcome = models.CharField(
        "結果", max_length=10, choices=Outcome.choices, default=Outcome.DELIVERED
    )
    total_amount = models.DecimalField(
        "金額", max_digits=10, decimal_places=0, null=True, blank=True
    )
    cash_collected = models.DecimalField(
        "收現", max_digits=10, decimal_places=0, null=True, blank=True
    )
    gas_returned_kg = models.DecimalField(
        "退氣公斤", max_digits=6, decimal_places=1, null=True, blank=True
    )
    note = models.CharField("備註", max_length=200, blank=True)
    source = models.CharField(
        "來源", max_length=10, choices=Source.choices, default=Source.APP
    )
    created_at = models.DateTimeField("建立時間", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-delivery_date", "-id"]

    def __str__(self):
        return f"{self.delivery_date} {self.customer.code}"

    def clean(self):
        """A delivery is recorded once made: none dated after today, which
        would stand as the customer's last delivery for years."""
        super().clean()
        latest = today()
        if self.delivery_date and self.delivery_date > latest:
            raise ValidationError(
                {
                    "delivery_date": f"配送日 {to_roc(self.delivery_date)} 在未來"
                    f"（今天是 {to_roc(latest)}）：只能記錄已經送過的配送"
                }
            )


def _partial_indexes(prefix):
    # A driver's history is read newest first, page by page.
    columns = {"driver": ["driver", "-delivery_date", "-id"], "route": ["route"]}
    columns["order"] = ["order"]
    return [
        models.Index(
            fields=fields,
            condition=models.Q(**{f"{name}__isnull": False}),
            name=f"idx_{prefix}_{name}",
        )
        for name, fields in columns.items()
    ]


class Delivery(DeliveryRecord):
    """A delivery of the last six months; older ones live in DeliveryHistory."""

    history = HistoricalRecords(
        verbose_name="配送紀錄修改歷史", verbose_name_plural="配送紀錄修改歷史"
    )

    class Meta(DeliveryRecord.Meta):
        verbose_name = "配送紀錄"
        verbose_name_plural = "配送紀錄"
        indexes = [
            models.Index(
                fields=["customer", "-delivery_date", "-id"],
                name="idx_delivery_customer_date",
            ),
            models.Index(fields=["-delivery_date", "-id"], name="idx_delivery_date"),
            *_partial_indexes("delivery"),
            # Each customer's last delivery and their rhythm, for the due list:
            # read from the index alone, without the rows.
            models.Index(
                fields=["customer", "-delivery_date"],
                condition=models.Q(outcome=DeliveryRecord.Outcome.DELIVERED),
                name="idx_delivery_delivered",
            ),
        ]


class DeliveryHistory(DeliveryRecord):
    """An archived delivery; it keeps the id it had in Delivery."""

    id = models.BigIntegerField(primary_key=True)

    class Meta(DeliveryRecord.Meta):
        verbose_name = "歷史配送紀錄"
        verbose_name_plural = "歷史配送紀錄"
        indexes = [
            models.Index(
                fields=["customer", "-delivery_date", "-id"],
                name="idx_history_customer_date",
            ),
            models.Index(fields=["-delivery_date", "-id"], name="idx_history_date"),
            *_partial_indexes("history"),
        ]


class DeliveryItemRecord(models.Model):
    product = models.ForeignKey(Product, verbose_name="產品", on_delete=models.PROTECT)
    quantity = models.PositiveSmallIntegerField("送達數量", default=0)
    empties_collected = models.PositiveSmallIntegerField("回收空瓶", default=0)
    # The price when delivered, kept so that a later price change leaves the
    # statements of past months as they were; blank where no price was set.
    unit_price = models.DecimalField(
        "單價", max_digits=8, decimal_places=0, null=True, blank=True
    )
    amount = models.DecimalField(
        "金額", max_digits=10, decimal_places=0, null=True, blank=True
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.product} × {self.quantity}"


class DeliveryItem(DeliveryItemRecord):
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="items"
    )

    class Meta:
        verbose_name = "配送品項"
        verbose_name_plural = "配送品項"
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "product"], name="uniq_delivery_product"
            )
        ]


class DeliveryHistoryItem(DeliveryItemRecord):
    delivery = models.ForeignKey(
        DeliveryHistory, on_delete=models.CASCADE, related_name="items"
    )

    class Meta:
        verbose_name = "歷史配送品項"
        verbose_name_plural = "歷史配送品項"
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "product"], name="uniq_history_item_product"
            )
        ]
