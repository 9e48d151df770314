"""Writes of the sales module. Order lines travel with their order through the write pipeline."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change

from .models import OrderLine, Product

LINE_KEYS = {"product_id", "description", "quantity", "unit_price", "discount"}


def _decimal(value: Any, where: str, errors: dict, minimum: Decimal | None = None) -> Decimal:
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors[where] = [_("Expected a number.")]
        return Decimal("0")
    if minimum is not None and number < minimum:
        errors[where] = [_("Must be at least %(min)s.") % {"min": minimum}]
    return number


def clean_lines(lines: Any) -> list[dict]:
    if not isinstance(lines, list):
        raise ValidationError({"lines": [_("Expected a list of lines.")]})
    errors: dict[str, list[str]] = {}
    cleaned = []
    product_ids = {ln.get("product_id") for ln in lines if isinstance(ln, dict)}
    products = {p.pk: p for p in Product.objects.filter(pk__in=[i for i in product_ids
                                                                if isinstance(i, int)])}
    for i, line in enumerate(lines):
        where = f"lines.{i}"
        if not isinstance(line, dict):
            errors[where] = [_("Expected an object.")]
            continue
        unknown = set(line) - LINE_KEYS
        if unknown:
            errors[f"{where}.{sorted(unknown)[0]}"] = [_("Unknown field.")]
            continue
        product = None
        if line.get("product_id") is not None:
            product = products.get(line["product_id"])
            if product is None:
                errors[f"{where}.product_id"] = [_("No such product.")]
                continue
        quantity = _decimal(line.get("quantity", 1), f"{where}.quantity", errors, Decimal("0.01"))
        default_price = product.unit_price if product else None
        if line.get("unit_price") is None and default_price is None:
            errors[f"{where}.unit_price"] = [_("Give a unit price or a product.")]
            continue
        price = _decimal(line.get("unit_price", default_price), f"{where}.unit_price", errors,
                         Decimal("0"))
        discount = _decimal(line.get("discount", 0), f"{where}.discount", errors, Decimal("0"))
        if discount > 100:
            errors[f"{where}.discount"] = [_("A discount is a percentage up to 100.")]
        cleaned.append({"product_id": product.pk if product else None,
                        "description": str(line.get("description") or
                                           (product.name if product else ""))[:300],
                        "quantity": quantity, "unit_price": price, "discount": discount})
    if errors:
        raise ValidationError(errors)
    return cleaned


@register("orders", Stage.BEFORE_VALIDATE, order=10, name="sales.order_lines_in")
def take_order_lines(change: Change) -> None:
    if "lines" in change.data:
        change.context["lines"] = clean_lines(change.data.pop("lines"))
        change.context["dirty"] = True


@register("orders", Stage.BEFORE_SAVE, order=10, name="sales.order_total")
def compute_order_total(change: Change) -> None:
    lines = change.context.get("lines")
    if lines:
        change.instance.total = sum(
            (OrderLine(**ln).amount for ln in lines), Decimal("0")
        )


@register("orders", Stage.AFTER_SAVE, order=10, name="sales.order_lines_out")
def write_order_lines(change: Change) -> None:
    lines = change.context.get("lines")
    if lines is None:
        return
    order = change.instance
    OrderLine.objects.filter(order=order).delete()
    OrderLine.objects.bulk_create([OrderLine(order=order, **ln) for ln in lines])
