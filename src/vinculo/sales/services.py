"""Writes of the sales module.

Quotes, orders and invoices carry their lines through the write pipeline: the lines are
checked before validation, priced (price list, else the product's price in the document's
currency) and totalled before save, and written after save, in the same transaction. Totals,
the amount in the base currency and invoice numbers are always worked out here, never taken
from the client.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import access, records
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change, jsonable

from .models import (
    CENT,
    ExchangeRate,
    Invoice,
    InvoiceLine,
    NumberCounter,
    Order,
    OrderLine,
    PriceList,
    PriceListEntry,
    Product,
    Quote,
    QuoteLine,
    base_currency,
    line_amounts,
)

LINE_KEYS = ("product_id", "description", "quantity", "unit_price", "discount", "tax_rate")
MAX_LINES = 1000
MAX_ID = 2**63 - 1
MAX_QUANTITY = Decimal("9999999999.99")


class DocumentConflict(Exception):
    """The document's state forbids the action (HTTP 409)."""


# ------------------------------------------------------------------------------ documents


class Kind:
    def __init__(self, entity: str, model: type[models.Model], line_model: type[models.Model],
                 parent: str, prefix: str):
        self.entity, self.model, self.line_model = entity, model, line_model
        self.parent, self.prefix = parent, prefix


KINDS = {
    "quotes": Kind("quotes", Quote, QuoteLine, "quote", "Q"),
    "orders": Kind("orders", Order, OrderLine, "order", "ORD"),
    "invoices": Kind("invoices", Invoice, InvoiceLine, "invoice", "INV"),
}


def document_date(instance: models.Model) -> dt.date:
    """The date that decides prices and the exchange rate of a document."""
    if isinstance(instance, Order):
        when = instance.ordered_at or timezone.now()
        return timezone.localdate(when) if timezone.is_aware(when) else when.date()
    value = getattr(instance, "issued_on", None)
    if isinstance(value, dt.datetime):
        value = value.date()
    return value or timezone.localdate()


# ------------------------------------------------------------------------------ lines


def _decimal(value: Any, where: str, errors: dict) -> Decimal | None:
    try:
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise InvalidOperation
        number = Decimal(str(value).strip())
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors[where] = [_("Expected a number.")]
        return None
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


def _clean_line(line: Any, where: str, products: dict[int, Product], errors: dict,
                negative: bool) -> dict | None:
    if not isinstance(line, dict):
        errors[where] = [_("Expected an object.")]
        return None
    unknown = set(line) - set(LINE_KEYS)
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
    quantity = _decimal(line.get("quantity", -1 if negative else 1), f"{where}.quantity", errors)
    if quantity is not None:
        if negative and quantity >= 0:
            errors[f"{where}.quantity"] = [_("A credit note's quantities are negative.")]
        elif not negative and quantity <= 0:
            errors[f"{where}.quantity"] = [_("The quantity must be more than zero.")]
        elif abs(quantity) > MAX_QUANTITY:
            errors[f"{where}.quantity"] = [_("The number is out of range.")]
    price = None
    if line.get("unit_price") is not None:
        price = _decimal(line["unit_price"], f"{where}.unit_price", errors)
        if price is not None and price < 0:
            errors[f"{where}.unit_price"] = [_("A price cannot be negative.")]
        elif price is not None and price >= Decimal("1e12"):
            errors[f"{where}.unit_price"] = [_("The number is out of range.")]
    numbers = {}
    for name in ("discount", "tax_rate"):
        value = line.get(name)
        number = _decimal(value if value is not None else 0, f"{where}.{name}", errors)
        if number is not None and not Decimal(0) <= number <= Decimal(100):
            errors[f"{where}.{name}"] = [_("A percentage from 0 to 100.")]
        numbers[name] = number
    description = line.get("description")
    if description is not None and not isinstance(description, str):
        errors[f"{where}.description"] = [_("Expected text.")]
    elif description and len(description) > 300:
        errors[f"{where}.description"] = [_("At most 300 characters.")]
    if len(errors) > before:
        return None
    return {"product": product, "description": (description or (product.name if product else "")),
            "quantity": quantity.quantize(CENT), "unit_price": price,
            "discount": numbers["discount"].quantize(CENT),
            "tax_rate": numbers["tax_rate"].quantize(CENT), "where": where}


def clean_lines(lines: Any, actor: Any = None, *, negative: bool = False) -> list[dict]:
    """Checked lines (prices not yet resolved), or a ValidationError naming each bad line as
    `lines.<index>.<field>`."""
    if lines is None:
        return []
    if not isinstance(lines, list):
        raise ValidationError({"lines": [_("Expected a list of lines.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": MAX_LINES}]})
    errors: dict[str, list[str]] = {}
    products = _products(lines, actor)
    cleaned = [_clean_line(line, f"lines.{i}", products, errors, negative)
               for i, line in enumerate(lines)]
    if errors:
        raise ValidationError(errors)
    return [c for c in cleaned if c is not None]


def _price_list_prices(price_list: PriceList | None, product_ids: set[int]) -> dict[int, Decimal]:
    if price_list is None or not product_ids:
        return {}
    return dict(PriceListEntry.objects.filter(price_list=price_list, product_id__in=product_ids)
                .values_list("product_id", "unit_price"))


def check_price_list(price_list: PriceList | None, currency: str, on: dt.date) -> None:
    if price_list is None:
        return
    if price_list.deleted_at is not None or not price_list.active:
        raise ValidationError({"price_list_id": [_("This price list is not active.")]})
    if price_list.currency != currency:
        raise ValidationError({"price_list_id": [
            _("This price list is in %(list)s; the document is in %(doc)s.")
            % {"list": price_list.currency, "doc": currency}]})
    if ((price_list.valid_from and on < price_list.valid_from) or
            (price_list.valid_to and on > price_list.valid_to)):
        raise ValidationError({"price_list_id": [
            _("This price list is not valid on %(date)s.") % {"date": on.isoformat()}]})


def price_lines(lines: list[dict], currency: str, price_list: PriceList | None) -> list[dict]:
    """Lines with their unit prices: given, else the price list's, else the product's own price
    when it is in the document's currency; a product with no price in that currency is a
    ValidationError naming the line."""
    ids = {ln["product"].pk for ln in lines if ln["product"] is not None and
           ln["unit_price"] is None}
    listed = _price_list_prices(price_list, ids)
    errors: dict[str, list[str]] = {}
    priced = []
    for ln in lines:
        price = ln["unit_price"]
        product = ln["product"]
        if price is None:
            if product.pk in listed:
                price = listed[product.pk]
            elif product.currency == currency:
                price = product.unit_price
            else:
                errors[f"{ln['where']}.product_id"] = [
                    _("%(product)s has no price in %(currency)s: add it to a price list in "
                      "%(currency)s or give the unit price.")
                    % {"product": product.sku, "currency": currency}]
                continue
        priced.append({"product_id": product.pk if product else None,
                       "description": ln["description"], "quantity": ln["quantity"],
                       "unit_price": Decimal(price).quantize(CENT), "discount": ln["discount"],
                       "tax_rate": ln["tax_rate"]})
    if errors:
        raise ValidationError(errors)
    return priced


def totals(lines: list[dict]) -> dict[str, Decimal]:
    subtotal = discount = tax = Decimal("0")
    for ln in lines:
        gross, off, _net, line_tax = line_amounts(ln["quantity"], ln["unit_price"],
                                                  ln["discount"], ln["tax_rate"])
        subtotal += gross
        discount += off
        tax += line_tax
    return {"subtotal": subtotal, "discount_total": discount, "tax_total": tax,
            "total": subtotal - discount + tax}


def order_total(lines: list[dict]) -> Decimal:
    """The total of order lines (kept for callers of the first version)."""
    return totals([{**ln, "tax_rate": ln.get("tax_rate", 0)} for ln in lines])["total"]


def stored_lines(kind: Kind, instance: models.Model) -> list[dict]:
    return list(kind.line_model.objects.filter(**{kind.parent: instance}).order_by("id").values(
        *LINE_KEYS))


def _line_values(lines: list[dict]) -> list[dict]:
    return [{k: jsonable(ln[k]) for k in LINE_KEYS} for ln in lines]


# ------------------------------------------------------------------------------ money


def exchange_rate(currency: str, on: dt.date) -> Decimal:
    """Units of the base currency per unit of `currency` valid on `on`; ValidationError if no
    rate is known."""
    if currency == base_currency():
        return Decimal("1")
    rate = (ExchangeRate.objects.filter(currency=currency, valid_on__lte=on)
            .order_by("-valid_on").values_list("rate", flat=True).first())
    if rate is None:
        raise ValidationError({"currency": [
            _("No exchange rate from %(currency)s to %(base)s on %(date)s: add one under "
              "Exchange rates.") % {"currency": currency, "base": base_currency(),
                                    "date": on.isoformat()}]})
    return rate


def set_base_total(instance: models.Model) -> None:
    rate = exchange_rate(instance.currency, document_date(instance))
    instance.exchange_rate = rate
    total_base = (instance.total * rate).quantize(CENT)
    if abs(total_base) >= Decimal("1e14"):
        raise ValidationError({"total": [_("The total is too large.")]})
    instance.total_base = total_base


# ------------------------------------------------------------------------------ numbers


def take_number(series: str) -> int:
    """The next number of `series`, in the caller's transaction: the counter row stays locked
    until it commits, so two writers never get the same number, and a rollback gives the
    number back (no gaps)."""
    with transaction.atomic():
        counter = NumberCounter.objects.select_for_update().filter(series=series).first()
        if counter is None:
            try:
                with transaction.atomic():
                    NumberCounter.objects.create(series=series, last=0)
            except IntegrityError:
                pass
            counter = NumberCounter.objects.select_for_update().get(series=series)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


def format_number(prefix: str, year: int, value: int) -> str:
    return f"{prefix}-{year}-{value:06d}"


def next_document_number(prefix: str, on: dt.date) -> str:
    series = f"{prefix}-{on.year}"
    return format_number(prefix, on.year, take_number(series))


# ------------------------------------------------------------------------------ hooks


COMPUTED = ("subtotal", "discount_total", "tax_total", "total", "total_base", "exchange_rate")


def _take_lines(change: Change) -> None:
    entity = change.entity.name
    for name in COMPUTED:
        if name in change.data and not (entity == "orders" and name == "total"):
            if change.source == "import":  # an export read back: worked out again below
                change.data.pop(name)
                continue
            raise ValidationError({name: [_("Worked out from the lines; it cannot be set.")]})
    if entity == "invoices" and "number" in change.data:
        raise ValidationError({"number": [_("An invoice gets its number when it is issued.")]})
    if "lines" in change.data:
        negative = (entity == "invoices" and
                    (change.data.get("kind") == "credit_note" or
                     getattr(change.instance, "kind", "") == "credit_note"))
        change.context["raw_lines"] = clean_lines(change.data.pop("lines"), change.actor,
                                                  negative=negative)
    change.context["currency_given"] = "currency" in change.data


def _set_totals(instance: models.Model, lines: list[dict]) -> None:
    for name, value in totals(lines).items():
        setattr(instance, name, value)


def _price_and_total(change: Change) -> None:
    kind = KINDS[change.entity.name]
    instance = change.instance
    creating = change.operation == "create"
    if creating and not change.context.get("currency_given"):
        instance.currency = (instance.price_list.currency if instance.price_list_id
                             else base_currency())
    raw = change.context.get("raw_lines")
    if raw is None and not creating and (
            change.has_changed("currency") or change.has_changed("price_list_id")) and \
            kind.line_model.objects.filter(**{kind.parent: instance}).exists():
        raise ValidationError({"currency": [
                _("Send the lines again when changing the currency or the price list.")]})
    if instance.price_list_id and change.source != "import" and (
            raw is not None or creating or change.has_changed("price_list_id")):
        check_price_list(PriceList.all_objects.get(pk=instance.price_list_id),
                         instance.currency, document_date(instance))
    final = None  # the lines the document will have, when known
    if raw is not None:
        lines = price_lines(raw, instance.currency,
                            instance.price_list if instance.price_list_id else None)
        before = _line_values(stored_lines(kind, instance)) if not creating else []
        after = _line_values(lines)
        if before == after:
            change.context.pop("raw_lines", None)
        else:
            change.context["lines"] = lines
            change.extra["lines"] = [before, after]
        final = lines
    elif kind.entity == "orders" and "total" in change.data and not creating:
        final = stored_lines(kind, instance)
    if final:
        _set_totals(instance, final)
    elif kind.entity == "orders":
        # An order without lines keeps the total it was given (history from another system).
        instance.subtotal, instance.discount_total = instance.total, Decimal("0")
        instance.tax_total = Decimal("0")
    elif final is not None:
        _set_totals(instance, [])
    if abs(instance.total) >= Decimal("1e12") or abs(instance.subtotal) >= Decimal("1e12"):
        raise ValidationError({"total": [_("The total is too large.")]})
    if instance.total < 0 and not (kind.entity == "invoices" and
                                   instance.kind == "credit_note"):
        raise ValidationError({"total": [_("A total cannot be negative.")]})
    if (creating or instance.total_base is None or change.has_changed("currency")
            or change.has_changed("total") or _date_changed(change)):
        set_base_total(instance)


def _date_changed(change: Change) -> bool:
    if isinstance(change.instance, Order):
        return change.has_changed("ordered_at")
    return change.has_changed("issued_on")


def _write_lines(change: Change) -> None:
    lines = change.context.get("lines")
    if lines is None:
        return
    kind = KINDS[change.entity.name]
    parent = change.instance
    kind.line_model.objects.filter(**{kind.parent: parent}).delete()
    kind.line_model.objects.bulk_create([kind.line_model(**{kind.parent: parent}, **ln)
                                         for ln in lines])


for _entity in KINDS:
    register(_entity, Stage.BEFORE_VALIDATE, order=10, name=f"sales.{_entity}_lines_in")(
        _take_lines)
    register(_entity, Stage.AFTER_SAVE, order=10, name=f"sales.{_entity}_lines_out")(
        _write_lines)


def _number_on_create(change: Change, prefix: str) -> None:
    instance = change.instance
    if change.operation == "create" and not instance.number:
        instance.number = next_document_number(prefix, document_date(instance))


# quotes ---------------------------------------------------------------------------------

@register("quotes", Stage.BEFORE_SAVE, order=10, name="sales.quote_rules")
def quote_rules(change: Change) -> None:
    quote = change.instance
    if change.operation == "update" and change.was("status") == "accepted" and (
            change.changed or change.context.get("raw_lines")):
        raise ValidationError({"status": [
            _("An accepted quote cannot be changed; change its order instead.")]})
    if change.operation == "create" and quote.opportunity_id and not (
            quote.account_id or quote.contact_id):
        quote.account_id, quote.contact_id = (
            type(quote).opportunity.field.related_model.all_objects.filter(
                pk=quote.opportunity_id).values_list("account_id", "contact_id").first()
            or (None, None))
    if change.operation == "create" and quote.status == "accepted":
        raise ValidationError({"status": [_("Create the quote first, then accept it.")]})
    _price_and_total(change)
    if quote.status == "sent" and quote.sent_at is None:
        quote.sent_at = timezone.now()
    if change.operation == "update" and change.has_changed("status") and \
            quote.status == "accepted":
        quote.accepted_at = timezone.now()
        change.context["create_order"] = True
    _number_on_create(change, "Q")


@register("quotes", Stage.AFTER_SAVE, order=20, name="sales.quote_accepted")
def quote_accepted(change: Change) -> None:
    if change.context.get("create_order"):
        quote = change.instance
        lines = stored_lines(KINDS["quotes"], quote)
        order = records.create("orders", {
            "account_id": quote.account_id, "contact_id": quote.contact_id,
            "currency": quote.currency, "owner_id": quote.owner_id, "status": "confirmed",
            "quote_id": quote.pk, "notes": quote.notes,
            "lines": [{k: jsonable(v) for k, v in ln.items()} for ln in lines],
        }, actor=change.actor, source=change.source or "api", depth=change.depth + 1)
        change.context["order"] = order


# orders ---------------------------------------------------------------------------------

@register("orders", Stage.BEFORE_SAVE, order=10, name="sales.order_rules")
def order_rules(change: Change) -> None:
    order = change.instance
    if change.operation == "update" and change.was("status") in ("fulfilled", "cancelled") \
            and change.context.get("raw_lines") is not None:
        before = _line_values(stored_lines(KINDS["orders"], order))
        if before != _line_values(price_lines(change.context["raw_lines"], order.currency,
                                              order.price_list)):
            raise ValidationError({"lines": [
                _("The lines of a fulfilled or cancelled order cannot change.")]})
    _price_and_total(change)
    if change.source in ("api", "web"):
        _number_on_create(change, "ORD")
    moving = None
    if change.operation == "create":
        if order.status == "fulfilled" and change.source in ("api", "web"):
            moving = -1
    elif change.has_changed("status"):
        if order.status == "fulfilled":
            moving = -1
        elif change.was("status") == "fulfilled":
            moving = 1
    if moving is not None:
        change.context["stock"] = moving


@register("orders", Stage.BEFORE_SAVE, operations=("delete", "restore"), order=10,
          name="sales.order_bin_stock")
def order_bin_stock(change: Change) -> None:
    """A fulfilled order moved to the recycle bin gives its stock back; restored, takes it."""
    if change.instance.status == "fulfilled":
        change.context["stock"] = 1 if change.operation == "delete" else -1


@register("orders", Stage.AFTER_SAVE, operations=("create", "update", "delete", "restore"),
          order=20, name="sales.order_stock")
def order_stock(change: Change) -> None:
    sign = change.context.get("stock")
    if sign is None:
        return
    lines = list(OrderLine.objects.filter(order=change.instance, product__isnull=False)
                 .order_by("id").values_list("product_id", "quantity"))
    wanted: dict[int, Decimal] = {}
    where: dict[int, int] = {}
    for index, (product_id, quantity) in enumerate(lines):
        wanted[product_id] = wanted.get(product_id, Decimal(0)) + quantity
        where.setdefault(product_id, index)
    if not wanted:
        return
    products = {p.pk: p for p in Product.all_objects.select_for_update().filter(
        pk__in=wanted, stock__isnull=False).order_by("pk")}
    errors: dict[str, list[str]] = {}
    for product_id, quantity in wanted.items():
        product = products.get(product_id)
        if product is None:
            continue
        units = int(quantity.to_integral_value())
        new_stock = product.stock + sign * units
        if sign < 0 and new_stock < 0:
            errors[f"lines.{where[product_id]}.quantity"] = [
                _("Only %(stock)d of %(product)s in stock.") % {"stock": product.stock,
                                                                 "product": product.sku}]
            continue
        records.update(product, {"stock": new_stock}, actor=change.actor, source="stock",
                       depth=change.depth + 1)
    if errors:
        raise ValidationError(errors)


# invoices -------------------------------------------------------------------------------

LOCKED_INVOICE = {"issued", "paid", "void"}
INVOICE_MOVES = {("draft", "issued"), ("draft", "void"), ("issued", "paid"), ("issued", "void"),
                 ("paid", "issued")}


def issued_message() -> str:
    return _("An issued invoice cannot be changed: issue a credit note to correct it.")


@register("invoices", Stage.BEFORE_SAVE, order=10, name="sales.invoice_rules")
def invoice_rules(change: Change) -> None:
    invoice = change.instance
    was = change.was("status") if change.operation == "update" else "draft"
    if change.operation == "update" and was in LOCKED_INVOICE:
        if change.context.get("raw_lines") is not None:
            before = _line_values(stored_lines(KINDS["invoices"], invoice))
            after = _line_values(price_lines(change.context["raw_lines"], invoice.currency,
                                             invoice.price_list))
            if before != after:
                raise ValidationError({"lines": [issued_message()]})
            change.context.pop("raw_lines")
        allowed = {"status", "paid_on", "due_on"} if was != "void" else set()
        touched = [name for name in change.changed if name not in allowed]
        if touched:
            raise ValidationError({touched[0]: [issued_message()]})
    if change.operation == "update" and change.has_changed("kind"):
        raise ValidationError({"kind": [_("The kind of an invoice cannot change.")]})
    if invoice.status != was and (was, invoice.status) not in INVOICE_MOVES:
        raise ValidationError({"status": [
            _("An invoice cannot go from %(was)s to %(now)s.") % {"was": was,
                                                                  "now": invoice.status}]})
    if invoice.kind == "credit_note" and not invoice.credit_of_id:
        raise ValidationError({"credit_of_id": [_("A credit note refers to the invoice it "
                                                  "corrects.")]})
    if invoice.kind != "credit_note" and invoice.credit_of_id:
        raise ValidationError({"credit_of_id": [_("Only a credit note refers to an invoice.")]})
    if was == "draft":
        _price_and_total(change)
    if invoice.status == "issued" and was == "draft":
        has_lines = (change.context.get("lines") if "lines" in change.context else
                     InvoiceLine.objects.filter(invoice=invoice).exists()
                     if invoice.pk else False)
        if not has_lines:
            raise ValidationError({"lines": [_("An invoice needs at least one line to be "
                                               "issued.")]})
        invoice.issued_on = invoice.issued_on or timezone.localdate()
        set_base_total(invoice)
        prefix = "CN" if invoice.kind == "credit_note" else "INV"
        invoice.number = next_document_number(prefix, invoice.issued_on)
    if invoice.status == "paid" and not invoice.paid_on:
        invoice.paid_on = timezone.localdate()


@register("invoices", Stage.BEFORE_SAVE, operations=("delete",), order=10,
          name="sales.invoice_delete")
def invoice_delete(change: Change) -> None:
    if change.instance.status != "draft":
        raise ValidationError({"status": [
            _("Only a draft invoice can be deleted; void an issued one or credit it.")]})


# ------------------------------------------------------------------------------ actions


def _lock(model: type[models.Model], pk: int) -> models.Model:
    return model.all_objects.select_for_update().get(pk=pk)


def accept_quote(quote: Quote, *, actor: Any, source: str = "api") -> Order:
    """Accept a quote: its order is created with the same lines. Accepting twice is a
    DocumentConflict."""
    with transaction.atomic():
        locked = _lock(Quote, quote.pk)
        if locked.status == "accepted":
            order = locked.orders.order_by("id").first()
            raise DocumentConflict(
                _("This quote was already accepted (order %(order)s).")
                % {"order": order.number if order else "—"})
        if locked.status in ("rejected", "expired"):
            raise DocumentConflict(_("A %(status)s quote cannot be accepted.")
                                   % {"status": locked.get_status_display().lower()})
        if locked.valid_until and locked.valid_until < timezone.localdate():
            raise DocumentConflict(_("This quote expired on %(date)s.")
                                   % {"date": locked.valid_until.isoformat()})
        context: dict[str, Any] = {"accepting": True}
        records.update(locked, {"status": "accepted"}, actor=actor, source=source,
                       context=context)
        return context["order"]


def invoice_order(order: Order, *, actor: Any, source: str = "api") -> Invoice:
    with transaction.atomic():
        locked = _lock(Order, order.pk)
        if locked.status in ("cancelled", "draft"):
            raise DocumentConflict(_("Only a confirmed or fulfilled order can be invoiced."))
        existing = Invoice.objects.filter(order=locked).exclude(status="void").first()
        if existing is not None:
            raise DocumentConflict(_("This order is already invoiced (%(invoice)s).")
                                   % {"invoice": existing.number or f"#{existing.pk}"})
        lines = stored_lines(KINDS["orders"], locked)
        if not lines:
            raise DocumentConflict(_("An order without lines cannot be invoiced."))
        return records.create("invoices", {
            "account_id": locked.account_id, "contact_id": locked.contact_id,
            "currency": locked.currency, "owner_id": locked.owner_id, "order_id": locked.pk,
            "notes": locked.notes,
            "lines": [{k: jsonable(v) for k, v in ln.items()} for ln in lines],
        }, actor=actor, source=source)


def issue_invoice(invoice: Invoice, *, actor: Any, source: str = "api") -> Invoice:
    with transaction.atomic():
        locked = _lock(Invoice, invoice.pk)
        if locked.status != "draft":
            raise DocumentConflict(_("This invoice is already issued (%(number)s).")
                                   % {"number": locked.number})
        return records.update(locked, {"status": "issued"}, actor=actor, source=source)


def credit_note(invoice: Invoice, *, actor: Any, lines: list[dict] | None = None,
                issue: bool = False, source: str = "api") -> Invoice:
    """A credit note for `invoice` (all of it, or the given lines with positive quantities):
    a negative invoice that refers to it."""
    with transaction.atomic():
        locked = _lock(Invoice, invoice.pk)
        if locked.kind == "credit_note":
            raise DocumentConflict(_("A credit note cannot itself be credited."))
        if locked.status not in ("issued", "paid"):
            raise DocumentConflict(_("Only an issued invoice can be credited; change or delete "
                                     "a draft instead."))
        if lines is None:
            lines = [{k: jsonable(v) for k, v in ln.items()}
                     for ln in stored_lines(KINDS["invoices"], locked)]
        negated = []
        for line in lines:
            if isinstance(line, dict) and "quantity" in line:
                with contextlib.suppress(InvalidOperation, ValueError):
                    line = {**line, "quantity": str(-Decimal(str(line["quantity"])))}
            negated.append(line)
        note = records.create("invoices", {
            "kind": "credit_note", "credit_of_id": locked.pk, "order_id": locked.order_id,
            "account_id": locked.account_id, "contact_id": locked.contact_id,
            "currency": locked.currency, "owner_id": locked.owner_id,
            "notes": _("Credit note for %(number)s") % {"number": locked.number},
            "lines": negated,
        }, actor=actor, source=source)
        if issue:
            note = records.update(note, {"status": "issued"}, actor=actor, source=source)
        return note


# ------------------------------------------------------------------------------ price lists


def clean_entries(entries: Any) -> list[dict]:
    if not isinstance(entries, list):
        raise ValidationError({"entries": [_("Expected a list of prices.")]})
    errors: dict[str, list[str]] = {}
    ids = [e.get("product_id") for e in entries if isinstance(e, dict)]
    known = set(Product.objects.filter(
        pk__in=[i for i in ids if isinstance(i, int) and not isinstance(i, bool)
                and 0 < i <= MAX_ID]).values_list("pk", flat=True))
    cleaned: dict[int, dict] = {}
    for index, entry in enumerate(entries):
        where = f"entries.{index}"
        if not isinstance(entry, dict) or set(entry) - {"product_id", "unit_price"}:
            errors[where] = [_("Expected an object with product_id and unit_price.")]
            continue
        if entry.get("product_id") not in known:
            errors[f"{where}.product_id"] = [_("No such product.")]
            continue
        price = _decimal(entry.get("unit_price"), f"{where}.unit_price", errors)
        if price is None:
            continue
        if price < 0 or price >= Decimal("1e12"):
            errors[f"{where}.unit_price"] = [_("A price from 0 up.")]
            continue
        if entry["product_id"] in cleaned:
            errors[f"{where}.product_id"] = [_("This product is already in the list.")]
            continue
        cleaned[entry["product_id"]] = {"product_id": entry["product_id"],
                                        "unit_price": price.quantize(CENT)}
    if errors:
        raise ValidationError(errors)
    return list(cleaned.values())


@register("price-lists", Stage.BEFORE_VALIDATE, order=10, name="sales.price_entries_in")
def take_entries(change: Change) -> None:
    if "entries" in change.data:
        change.context["entries"] = clean_entries(change.data.pop("entries"))


@register("price-lists", Stage.BEFORE_SAVE, order=10, name="sales.price_entries_diff")
def diff_entries(change: Change) -> None:
    entries = change.context.get("entries")
    if entries is None:
        return
    before = [] if change.operation == "create" else [
        {"product_id": p, "unit_price": str(u)} for p, u in PriceListEntry.objects.filter(
            price_list=change.instance).order_by("product_id").values_list("product_id",
                                                                             "unit_price")]
    after = sorted(({"product_id": e["product_id"], "unit_price": str(e["unit_price"])}
                    for e in entries), key=lambda e: e["product_id"])
    if before == after:
        del change.context["entries"]
    else:
        change.extra["entries"] = [before, after]


@register("price-lists", Stage.AFTER_SAVE, order=10, name="sales.price_entries_out")
def write_entries(change: Change) -> None:
    entries = change.context.get("entries")
    if entries is None:
        return
    PriceListEntry.objects.filter(price_list=change.instance).delete()
    PriceListEntry.objects.bulk_create([PriceListEntry(price_list=change.instance, **e)
                                        for e in entries])


# ------------------------------------------------------------------------------ e-mail


class MailFailed(Exception):
    """The mail server did not take the message (HTTP 502)."""


def clean_addresses(value: Any, field: str) -> list[str]:
    from django.core.validators import validate_email

    items = [value] if isinstance(value, str) else list(value or [])
    addresses = []
    for item in items:
        for part in str(item).replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                validate_email(part)
            except ValidationError:
                raise ValidationError({field: [_("'%(value)s' is not an e-mail address.")
                                               % {"value": part[:100]}]}) from None
            addresses.append(part)
    if field == "to" and not addresses:
        raise ValidationError({"to": [_("Give at least one address.")]})
    if len(addresses) > 50:
        raise ValidationError({field: [_("At most 50 addresses.")]})
    return addresses


def send_quote(quote: Quote, *, actor: Any, to: Any, cc: Any = None, subject: str | None = None,
               message: str | None = None, source: str = "api") -> tuple[list[str], Any]:
    """E-mail the quote with its PDF attached, mark it sent and put an outbound e-mail on the
    timeline of its contact and account. Returns (recipients, the activity or None)."""
    from django.conf import settings
    from django.core.mail import EmailMessage

    from . import pdf

    recipients = clean_addresses(to, "to")
    copies = clean_addresses(cc, "cc") if cc else []
    number = quote.number or f"#{quote.pk}"
    subject = (subject or "").strip() or _("Quote %(number)s") % {"number": number}
    body = (message or "").strip() or _(
        "Please find attached our quote %(number)s for %(total)s %(currency)s.") % {
        "number": number, "total": quote.total, "currency": quote.currency}
    if "\n" in subject or "\r" in subject:
        raise ValidationError({"subject": [_("A subject is one line.")]})
    email = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, cc=copies,
                         reply_to=[actor.email] if getattr(actor, "email", "") else None)
    email.attach(pdf.filename(quote), pdf.render(quote), "application/pdf")
    try:
        email.send()
    except (OSError, Exception) as exc:  # smtplib errors are OSError or SMTPException
        raise MailFailed(_("The mail server did not take the message: %(error)s")
                         % {"error": str(exc)[:200]}) from exc
    activity = None
    with transaction.atomic():
        locked = _lock(Quote, quote.pk)
        if locked.status == "draft":
            records.update(locked, {"status": "sent"}, actor=actor, source=source)
        if locked.contact_id or locked.account_id:
            activity = records.create("activities", {
                "kind": "email", "direction": "outbound", "subject": subject[:300],
                "body": body + "\n\n" + _("To: %(to)s") % {"to": ", ".join(recipients + copies)}
                + "\n" + _("Attachment: %(name)s") % {"name": pdf.filename(quote)},
                "occurred_at": timezone.now(), "done": True,
                "contact_id": locked.contact_id, "account_id": locked.account_id,
                "owner_id": locked.owner_id or getattr(actor, "pk", None),
            }, actor=actor, source=source)
    return recipients + copies, activity


# ------------------------------------------------------------------------------ catalogue


def may_write_catalogue(actor: Any, entity: str) -> bool:
    """Price lists and exchange rates are company-wide: administrators write them, and roles
    that name these entities explicitly; other roles only read them."""
    if actor is None or access.is_admin(actor) or getattr(actor, "is_superuser", False):
        return True
    role = getattr(actor, "role", None)
    return role is not None and entity in (role.permissions or {}) and \
        access.can_create(actor, entity)


def _catalogue_writer(change: Change) -> None:
    if not may_write_catalogue(change.actor, change.entity.name):
        raise access.PermissionDenied(_("Only administrators may change %(what)s.")
                                      % {"what": change.entity.label_plural})


for _entity in ("price-lists", "exchange-rates"):
    register(_entity, Stage.BEFORE_VALIDATE, order=0, name=f"sales.{_entity}_writers")(
        _catalogue_writer)
    register(_entity, Stage.BEFORE_SAVE, operations=("delete", "restore"), order=0,
             name=f"sales.{_entity}_deleters")(_catalogue_writer)


# ------------------------------------------------------------------------------ schedules


def expire_quotes(today: dt.date) -> int:
    """Quotes still open after their `valid_until` become `expired`; returns how many."""
    count = 0
    for quote in Quote.objects.filter(status__in=("draft", "sent"), valid_until__lt=today
                                      ).order_by("id")[:1000]:
        records.update(quote, {"status": "expired"}, source="schedule")
        count += 1
    return count
