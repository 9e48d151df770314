"""Pages of products and orders: declared here, served by the generic views of `vinculo.web`."""

from django.utils.translation import gettext_lazy as _

from vinculo.web.resources import Resource, Section, register

products = register(Resource(
    entity="products",
    icon="products",
    sections=(
        Section(_("Product"), ("sku", "name", "description")),
        Section(_("Price and stock"), ("unit_price", "currency", "active", "stock")),
    ),
    read_only=("created_at", "updated_at"),
))

orders = register(Resource(
    entity="orders",
    icon="orders",
    sections=(
        Section(_("Order"), ("number", "status", "ordered_at", "total", "currency")),
        Section(_("Customer"), ("account_id", "contact_id")),
        Section(_("More"), ("notes", "owner_id")),
    ),
    read_only=("created_at", "updated_at"),
    detail_extra="sales/order_lines.html",
    prefill=("account_id", "contact_id"),
))
