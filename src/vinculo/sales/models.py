"""Products and orders (the sales module builds quotes, invoices and pipelines on these)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.platform.models import OwnedRecord, Record

currency_validator = RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, like EUR."))


class Product(Record):
    sku = models.CharField(_("SKU"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2,
                                     default=Decimal("0"), validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="EUR",
                                validators=[currency_validator])
    active = models.BooleanField(_("active"), default=True)
    stock = models.IntegerField(_("stock"), null=True, blank=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["name", "id"], name="product_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class Order(OwnedRecord):
    number = models.CharField(_("number"), max_length=40, blank=True, default="")
    account = models.ForeignKey("customers.Account", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="orders",
                                verbose_name=_("account"))
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="orders",
                                verbose_name=_("contact"))
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.CONFIRMED)
    ordered_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR",
                                validators=[currency_validator])
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["contact", "ordered_at"], name="order_contact_idx"),
            models.Index(fields=["account", "ordered_at"], name="order_account_idx"),
            models.Index(fields=["ordered_at", "id"], name="order_date_idx"),
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def clean(self) -> None:
        if self.total is not None and self.total < 0:
            raise ValidationError({"total": [_("A total cannot be negative.")]})


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="order_lines")
    description = models.CharField(max_length=300, blank=True, default="")
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("1"),
                                   validators=[MinValueValidator(Decimal("0.01"))])
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"),
                                     validators=[MinValueValidator(0)])
    discount = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(0)])

    class Meta:
        indexes = [models.Index(fields=["product", "order"], name="orderline_product_idx")]

    @property
    def amount(self) -> Decimal:
        gross = self.quantity * self.unit_price
        return (gross * (Decimal("100") - self.discount) / Decimal("100")).quantize(Decimal("0.01"))
