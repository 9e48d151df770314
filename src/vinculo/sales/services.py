"""Writes of the sales module. Order lines travel with their order through the write pipeline."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vinculo.platform import access
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change, jsonable

from .models import Order, OrderLine, Product

LINE_KEYS = {"product_id", "description", "quantity", "unit_price", "discount"}
MAX_LINES = 1000
MAX_ID = 2**63 - 1


def _decimal(value: Any, where: str, errors: dict, minimum: Decimal | None = None) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors[where] = [_("Expected a number.")]
        return Decimal("0")
    if minimum is not None and number < minimum:
        errors[where] = [_("Must be at least %(min)s.") % {"min": minimum}]
    return number


def _products(lines: list, actor: Any) -> dict[int, Product]:
    wanted = {ln.get("product_id") for ln in lines if isinstance(ln, dict)}
    ids = [i for i in wanted if isinstance(i, int) and not isinstance(i, bool) and
           0 < i <= MAX_ID]
    if not ids:
        return {}
    products = Product.objects.filter(pk__in=ids)
    if actor is not None:
        products = access.scope(actor, "products", "view", products)
    return {p.pk: p for p in products}


def _clean_line(line: Any, where: str, products: dict[int, Product], errors: dict
                ) -> dict | None:
    if not isinstance(line, dict):
        errors[where] = [_("Expected an object.")]
        return None
    unknown = set(line) - LINE_KEYS
    if unknown:
        errors[f"{where}.{sorted(unknown)[0]}"] = [_("Unknown field.")]
        return None
    product = None
    if line.get("product_id") is not None:
        product = products.get(line["product_id"])
        if product is None:
            errors[f"{where}.product_id"] = [_("No such product.")]
            return None
    if line.get("unit_price") is None and product is None:
        errors[f"{where}.unit_price"] = [_("Give a unit price or a product.")]
        return None
    before = len(errors)
    quantity = _decimal(line.get("quantity", 1), f"{where}.quantity", errors, Decimal("0.01"))
    price = _decimal(line["unit_price"] if line.get("unit_price") is not None
                     else product.unit_price, f"{where}.unit_price", errors, Decimal("0"))
    discount = _decimal(line.get("discount") if line.get("discount") is not None else 0,
                        f"{where}.discount", errors, Decimal("0"))
    if discount > 100:
        errors[f"{where}.discount"] = [_("A discount is a percentage up to 100.")]
    description = line.get("description")
    if description is not None and not isinstance(description, str):
        errors[f"{where}.description"] = [_("Expected text.")]
    if len(errors) > before:
        return None
    cleaned = {"product_id": product.pk if product else None,
               "description": (description or (product.name if product else ""))[:300],
               "quantity": quantity, "unit_price": price, "discount": discount}
    try:
        OrderLine(**cleaned).full_clean(exclude=["order", "product"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors[f"{where}.{name}"] = messages
        return None
    for name in ("quantity", "unit_price", "discount"):  # as the database will store them
        places = OrderLine._meta.get_field(name).decimal_places
        cleaned[name] = cleaned[name].quantize(Decimal(1).scaleb(-places))
    return cleaned


def clean_lines(lines: Any, actor: Any = None) -> list[dict]:
    """Validated order lines (prices default to the product's), or a ValidationError naming
    each bad line as `lines.<index>.<field>`."""
    if lines is None:
        return []
    if not isinstance(lines, list):
        raise ValidationError({"lines": [_("Expected a list of lines.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": MAX_LINES}]})
    errors: dict[str, list[str]] = {}
    products = _products(lines, actor)
    cleaned = [_clean_line(line, f"lines.{i}", products, errors) for i, line in enumerate(lines)]
    if errors:
        raise ValidationError(errors)
    return [c for c in cleaned if c is not None]


def _line_values(lines: list[dict]) -> list[dict]:
    keys = ("product_id", "description", "quantity", "unit_price", "discount")
    return [{k: jsonable(ln[k]) for k in keys} for ln in lines]


def _current_lines(order: Order) -> list[dict]:
    return list(OrderLine.objects.filter(order=order).order_by("id").values(
        "product_id", "description", "quantity", "unit_price", "discount"))


def order_total(lines: list[dict]) -> Decimal:
    return sum((OrderLine(**ln).amount for ln in lines), Decimal("0"))


@register("orders", Stage.BEFORE_VALIDATE, order=10, name="sales.order_lines_in")
def take_order_lines(change: Change) -> None:
    if "lines" in change.data:
        change.context["lines"] = clean_lines(change.data.pop("lines"), change.actor)


@register("orders", Stage.BEFORE_SAVE, order=10, name="sales.order_total")
def compute_order_total(change: Change) -> None:
    """The total follows the lines when there are any; an order without lines keeps the total
    it was given (history imported from another system)."""
    lines = change.context.get("lines")
    if lines is None:
        return
    before = _line_values(_current_lines(change.instance)) if change.operation == "update" else []
    after = _line_values(lines)
    if before == after:
        del change.context["lines"]
        return
    change.extra["lines"] = [before, after]
    if lines:
        total = order_total(lines)
        try:
            Order._meta.get_field("total").clean(total, change.instance)
        except ValidationError as exc:
            raise ValidationError({"total": exc.messages}) from None
        change.instance.total = total


@register("orders", Stage.AFTER_SAVE, order=10, name="sales.order_lines_out")
def write_order_lines(change: Change) -> None:
    lines = change.context.get("lines")
    if lines is None:
        return
    order = change.instance
    OrderLine.objects.filter(order=order).delete()
    OrderLine.objects.bulk_create([OrderLine(order=order, **ln) for ln in lines])
