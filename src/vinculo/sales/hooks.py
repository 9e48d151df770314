"""What the sales app registers with the platform."""

from django.utils.translation import gettext_lazy as _

from vinculo.platform import registry
from vinculo.platform.registry import Entity

from . import services  # noqa: F401  (registers the order-line hooks)
from .models import Order, Product

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
    name="orders",
    model=Order,
    label=_("order"),
    label_plural=_("orders"),
    filter_fields=("id", "number", "account_id", "account", "contact_id", "contact", "status",
                   "ordered_at", "total", "currency", "owner_id", "owner", "created_at",
                   "updated_at"),
    ordering_fields=("id", "number", "ordered_at", "total", "created_at"),
    default_ordering=("-ordered_at",),
    search_fields=("number", "notes"),
    title=lambda o: o.number or f"#{o.pk}",
    subtitle=lambda o: f"{o.total} {o.currency}",
    list_columns=("number", "contact", "account", "status", "ordered_at", "total", "currency"),
    importable=True,
    natural_keys=("number",),
))
