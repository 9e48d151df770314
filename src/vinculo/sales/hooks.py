"""What the sales app registers with the platform."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from vinculo.automation import schedules
from vinculo.platform import registry
from vinculo.platform.registry import Entity

from . import services, tasks  # noqa: F401  (services registers the write-pipeline hooks)
from .models import ExchangeRate, Invoice, Order, PriceList, Product, Quote

registry.register(Entity(
    name="products",
    model=Product,
    label=_("product"),
    label_plural=_("products"),
    owned=False,
    filter_fields=("id", "sku", "name", "unit_price", "currency", "active", "stock",
                   "created_at", "updated_at"),
    ordering_fields=("id", "sku", "name", "unit_price", "created_at"),
    default_ordering=("name",),
    search_fields=("sku", "name", "description"),
    title=lambda p: p.name,
    subtitle=lambda p: p.sku,
    list_columns=("sku", "name", "unit_price", "currency", "active", "stock"),
    importable=True,
    natural_keys=("sku",),
))

registry.register(Entity(
    name="price-lists",
    model=PriceList,
    label=_("price list"),
    label_plural=_("price lists"),
    owned=False,
    filter_fields=("id", "name", "currency", "active", "valid_from", "valid_to", "created_at",
                   "updated_at"),
    ordering_fields=("id", "name", "currency", "valid_from", "created_at"),
    default_ordering=("name",),
    search_fields=("name", "description"),
    title=lambda p: p.name,
    subtitle=lambda p: p.currency,
    list_columns=("name", "currency", "active", "valid_from", "valid_to"),
))

registry.register(Entity(
    name="exchange-rates",
    model=ExchangeRate,
    label=_("exchange rate"),
    label_plural=_("exchange rates"),
    owned=False,
    filter_fields=("id", "currency", "rate", "valid_on", "created_at", "updated_at"),
    ordering_fields=("id", "currency", "valid_on", "created_at"),
    default_ordering=("-valid_on",),
    search_fields=("currency",),
    title=lambda r: f"{r.currency} {r.valid_on}",
    subtitle=lambda r: str(r.rate),
    list_columns=("currency", "rate", "valid_on"),
    importable=True,
    custom_fields=False,
))

DOCUMENT_FILTERS = ("id", "number", "account_id", "account", "contact_id", "contact", "status",
                    "currency", "price_list_id", "subtotal", "discount_total", "tax_total",
                    "total", "total_base", "owner_id", "owner", "created_at", "updated_at")

registry.register(Entity(
    name="quotes",
    model=Quote,
    label=_("quote"),
    label_plural=_("quotes"),
    filter_fields=(*DOCUMENT_FILTERS, "issued_on", "valid_until", "sent_at", "accepted_at",
                   "opportunity_id"),
    ordering_fields=("id", "number", "issued_on", "valid_until", "total", "created_at"),
    default_ordering=("-issued_on", "-id"),
    search_fields=("number", "notes"),
    title=lambda q: q.number or f"#{q.pk}",
    subtitle=lambda q: f"{q.total} {q.currency}",
    list_columns=("number", "contact", "account", "status", "issued_on", "valid_until", "total",
                  "currency"),
))

registry.register(Entity(
    name="orders",
    model=Order,
    label=_("order"),
    label_plural=_("orders"),
    filter_fields=(*DOCUMENT_FILTERS, "ordered_at", "quote_id"),
    ordering_fields=("id", "number", "ordered_at", "total", "created_at"),
    default_ordering=("-ordered_at",),
    search_fields=("number", "notes"),
    title=lambda o: o.number or f"#{o.pk}",
    subtitle=lambda o: f"{o.total} {o.currency}",
    list_columns=("number", "contact", "account", "status", "ordered_at", "total", "currency"),
    importable=True,
    natural_keys=("number",),
))

registry.register(Entity(
    name="invoices",
    model=Invoice,
    label=_("invoice"),
    label_plural=_("invoices"),
    filter_fields=(*DOCUMENT_FILTERS, "kind", "order_id", "credit_of_id", "issued_on", "due_on",
                   "paid_on"),
    ordering_fields=("id", "number", "issued_on", "due_on", "total", "created_at"),
    default_ordering=("-id",),
    search_fields=("number", "notes"),
    title=lambda i: i.number or str(_("Draft invoice #%(id)s") % {"id": i.pk}),
    subtitle=lambda i: f"{i.total} {i.currency}",
    list_columns=("number", "kind", "contact", "account", "status", "issued_on", "total",
                  "currency"),
))

schedules.every("sales.expire_quotes", dt.timedelta(hours=1), tasks.expire_quotes)
