"""Products, price lists, exchange rates and the sales documents: quotes, orders, invoices."""

from decimal import Decimal

from django.conf import settings
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
    price_list = models.ForeignKey("sales.PriceList", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("price list"))
    quote = models.ForeignKey("sales.Quote", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="orders", verbose_name=_("quote"))
    subtotal = models.DecimalField(_("subtotal"), max_digits=14, decimal_places=2,
                                   default=Decimal("0"))
    discount_total = models.DecimalField(_("discount"), max_digits=14, decimal_places=2,
                                         default=Decimal("0"))
    tax_total = models.DecimalField(_("tax"), max_digits=14, decimal_places=2,
                                    default=Decimal("0"))
    total_base = models.DecimalField(_("total in base currency"), max_digits=16,
                                     decimal_places=2, null=True, blank=True)
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8,
                                        null=True, blank=True)

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
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(0)])

    class Meta:
        indexes = [models.Index(fields=["product", "order"], name="orderline_product_idx")]

    @property
    def amount(self) -> Decimal:
        return line_amounts(self.quantity, self.unit_price, self.discount, self.tax_rate)[2]

    @property
    def tax_amount(self) -> Decimal:
        return line_amounts(self.quantity, self.unit_price, self.discount, self.tax_rate)[3]


CENT = Decimal("0.01")


def line_amounts(quantity: Decimal, unit_price: Decimal, discount: Decimal,
                 tax_rate: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(gross, discount, net, tax) of a line, each rounded to cents."""
    gross = (Decimal(quantity) * Decimal(unit_price)).quantize(CENT)
    off = (gross * Decimal(discount) / 100).quantize(CENT)
    net = gross - off
    tax = (net * Decimal(tax_rate or 0) / 100).quantize(CENT)
    return gross, off, net, tax


def base_currency() -> str:
    return getattr(settings, "VINCULO_BASE_CURRENCY", "EUR") or "EUR"


class PriceList(Record):
    """Prices of products in one currency, valid for a period."""

    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="EUR",
                                validators=[currency_validator])
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, default="")

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": [_("The end comes before the start.")]})


class PriceListEntry(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    unit_price = models.DecimalField(max_digits=14, decimal_places=2,
                                     validators=[MinValueValidator(0)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["price_list", "product"],
                                               name="pricelist_product_uniq")]


class ExchangeRate(Record):
    """How much one unit of `currency` is worth in the base currency from `valid_on` on."""

    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    rate = models.DecimalField(_("rate to base"), max_digits=18, decimal_places=8,
                               validators=[MinValueValidator(Decimal("0.00000001"))])
    valid_on = models.DateField(_("valid on"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        base_manager_name = "all_objects"
        constraints = [models.UniqueConstraint(
            fields=["currency", "valid_on"], condition=models.Q(deleted_at__isnull=True),
            name="exchangerate_currency_day_uniq")]
        indexes = [models.Index(fields=["currency", "valid_on"], name="exchangerate_idx")]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} ({self.valid_on})"


class NumberCounter(models.Model):
    """The last number given in a series ("INV-2026"); a row locked per number taken."""

    series = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)


class Document(OwnedRecord):
    """What quotes and invoices share (orders carry the same fields on their older table)."""

    number = models.CharField(_("number"), max_length=40, blank=True, default="")
    account = models.ForeignKey("customers.Account", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="%(class)ss",
                                verbose_name=_("account"))
    contact = models.ForeignKey("customers.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="%(class)ss",
                                verbose_name=_("contact"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR",
                                validators=[currency_validator])
    price_list = models.ForeignKey(PriceList, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("price list"))
    subtotal = models.DecimalField(_("subtotal"), max_digits=14, decimal_places=2,
                                   default=Decimal("0"))
    discount_total = models.DecimalField(_("discount"), max_digits=14, decimal_places=2,
                                         default=Decimal("0"))
    tax_total = models.DecimalField(_("tax"), max_digits=14, decimal_places=2,
                                    default=Decimal("0"))
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total_base = models.DecimalField(_("total in base currency"), max_digits=16,
                                     decimal_places=2, null=True, blank=True)
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=18, decimal_places=8,
                                        null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, default="")

    class Meta:
        abstract = True


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class Quote(Document):
    opportunity = models.ForeignKey("pipeline.Opportunity", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="quotes",
                                    verbose_name=_("opportunity"))
    status = models.CharField(_("status"), max_length=12, choices=QuoteStatus.choices,
                              default=QuoteStatus.DRAFT)
    issued_on = models.DateField(_("date"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["issued_on", "id"], name="quote_date_idx"),
                   models.Index(fields=["contact", "issued_on"], name="quote_contact_idx"),
                   models.Index(fields=["account", "issued_on"], name="quote_account_idx")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def clean(self) -> None:
        if self.valid_until and self.issued_on and self.valid_until < self.issued_on:
            raise ValidationError({"valid_until": [_("A quote cannot expire before its date.")]})


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class Invoice(Document):
    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices,
                            default=InvoiceKind.INVOICE)
    status = models.CharField(_("status"), max_length=12, choices=InvoiceStatus.choices,
                              default=InvoiceStatus.DRAFT)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="invoices", verbose_name=_("order"))
    credit_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="credit_notes", verbose_name=_("credits invoice"))
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["issued_on", "id"], name="invoice_date_idx"),
                   models.Index(fields=["contact", "issued_on"], name="invoice_contact_idx"),
                   models.Index(fields=["account", "issued_on"], name="invoice_account_idx")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class DocumentLine(models.Model):
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    description = models.CharField(max_length=300, blank=True, default="")
    quantity = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"),
                                     validators=[MinValueValidator(0)])
    discount = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(0)])
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(0)])

    class Meta:
        abstract = True

    @property
    def amount(self) -> Decimal:
        return line_amounts(self.quantity, self.unit_price, self.discount, self.tax_rate)[2]

    @property
    def tax_amount(self) -> Decimal:
        return line_amounts(self.quantity, self.unit_price, self.discount, self.tax_rate)[3]


class QuoteLine(DocumentLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")


class InvoiceLine(DocumentLine):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
