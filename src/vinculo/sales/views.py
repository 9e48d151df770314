"""Pages of the sales documents.

Products, price lists, exchange rates, quotes, orders and invoices are declared as resources
(list, detail and form pages from `vinculo.web`); the forms of quotes, orders and invoices add
an editable table of lines, and their detail pages the actions of the document flow (PDF,
accept, e-mail, invoice, issue, credit note).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from vinculo.platform import access, records
from vinculo.web import resources as web_resources
from vinculo.web.base import page, safe_next
from vinculo.web.forms import prefill_initial, record_form_class, stale_message
from vinculo.web.generic import get_record
from vinculo.web.resources import RelatedList, Resource, Section, record_url, register

from . import pdf, services
from .models import Product

products = register(Resource(
    entity="products",
    icon="products",
    sections=(
        Section(gettext_lazy("Product"), ("sku", "name", "description")),
        Section(gettext_lazy("Price and stock"), ("unit_price", "currency", "active", "stock")),
    ),
    read_only=("created_at", "updated_at"),
))

price_lists = register(Resource(
    entity="price-lists",
    icon="products",
    sections=(
        Section(gettext_lazy("Price list"), ("name", "currency", "active", "description")),
        Section(gettext_lazy("Validity"), ("valid_from", "valid_to")),
    ),
    read_only=("created_at", "updated_at"),
    detail_extra="sales/price_entries.html",
    export_formats=("csv", "json"),
))

exchange_rates = register(Resource(
    entity="exchange-rates",
    icon="products",
    sections=(Section(gettext_lazy("Exchange rate"), ("currency", "rate", "valid_on")),),
    read_only=("created_at", "updated_at"),
))

quotes = register(Resource(
    entity="quotes",
    icon="orders",
    sections=(
        Section(gettext_lazy("Quote"), ("number", "status", "issued_on", "valid_until")),
        Section(gettext_lazy("Customer"), ("account_id", "contact_id", "opportunity_id")),
        Section(gettext_lazy("Prices"), ("currency", "price_list_id")),
        Section(gettext_lazy("More"), ("notes", "owner_id")),
    ),
    read_only=("subtotal", "discount_total", "tax_total", "total", "total_base",
               "exchange_rate", "sent_at", "accepted_at", "created_at", "updated_at"),
    detail_extra="sales/document_extra.html",
    prefill=("account_id", "contact_id", "opportunity_id"),
    related_lists=(RelatedList("orders", "quote_id", gettext_lazy("Orders")),),
))

orders = register(Resource(
    entity="orders",
    icon="orders",
    sections=(
        Section(gettext_lazy("Order"), ("number", "status", "ordered_at")),
        Section(gettext_lazy("Customer"), ("account_id", "contact_id")),
        Section(gettext_lazy("Prices"), ("currency", "price_list_id", "total")),
        Section(gettext_lazy("More"), ("notes", "owner_id")),
    ),
    read_only=("subtotal", "discount_total", "tax_total", "total_base", "exchange_rate",
               "quote_id", "created_at", "updated_at"),
    detail_extra="sales/document_extra.html",
    prefill=("account_id", "contact_id"),
    related_lists=(RelatedList("invoices", "order_id", gettext_lazy("Invoices")),),
))

invoices = register(Resource(
    entity="invoices",
    icon="orders",
    sections=(
        Section(gettext_lazy("Invoice"), ("status", "due_on", "paid_on")),
        Section(gettext_lazy("Customer"), ("account_id", "contact_id")),
        Section(gettext_lazy("Prices"), ("currency", "price_list_id")),
        Section(gettext_lazy("More"), ("notes", "owner_id")),
    ),
    read_only=("number", "kind", "issued_on", "order_id", "credit_of_id", "subtotal",
               "discount_total", "tax_total", "total", "total_base", "exchange_rate",
               "created_at", "updated_at"),
    detail_extra="sales/document_extra.html",
    prefill=("account_id", "contact_id"),
    related_lists=(RelatedList("invoices", "credit_of_id", gettext_lazy("Credit notes")),),
))

DOCUMENTS = ("quotes", "orders", "invoices")
LINE_FIELDS = ("product_id", "description", "quantity", "unit_price", "discount", "tax_rate")
EMPTY_ROWS = 2


# ------------------------------------------------------------------------------ lines


def posted_lines(post: Any) -> tuple[list[dict], list[dict]]:
    """The lines of a submitted form (`line-<field>` repeated per row, blank rows skipped):
    (rows as typed, for showing the form again; the API payload)."""
    columns = {name: post.getlist(f"line-{name}") for name in LINE_FIELDS}
    count = max((len(values) for values in columns.values()), default=0)
    rows, payload = [], []
    for i in range(count):
        row = {name: (columns[name][i] if i < len(columns[name]) else "").strip()
               for name in LINE_FIELDS}
        if not (row["product_id"] or row["description"] or row["unit_price"]):
            continue
        line: dict[str, Any] = {}
        if row["product_id"]:
            line["product_id"] = (int(row["product_id"]) if row["product_id"].isdigit()
                                  and len(row["product_id"]) < 19 else row["product_id"])
        if row["description"]:
            line["description"] = row["description"]
        for name in ("quantity", "unit_price", "discount", "tax_rate"):
            if row[name]:
                line[name] = row[name].replace(",", ".") if row[name].count(",") == 1 and \
                    "." not in row[name] else row[name]
        rows.append(row)
        payload.append(line)
    return rows, payload


def stored_rows(obj: Any) -> list[dict]:
    return [{"product_id": str(ln.product_id or ""), "description": ln.description,
             "quantity": f"{ln.quantity.normalize():f}", "unit_price": f"{ln.unit_price}",
             "discount": f"{ln.discount.normalize():f}",
             "tax_rate": f"{ln.tax_rate.normalize():f}"}
            for ln in obj.lines.all().order_by("id")]


def blank_row() -> dict:
    return {"product_id": "", "description": "", "quantity": "1", "unit_price": "",
            "discount": "0", "tax_rate": "0"}


def split_errors(exc: ValidationError) -> tuple[dict[int, dict[str, list[str]]], list[str],
                                                 ValidationError | None]:
    """(errors per line index and field, errors of the lines as a whole, the rest)."""
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    per_line: dict[int, dict[str, list[str]]] = {}
    general: list[str] = []
    rest: dict[str, list[str]] = {}
    for key, errors in found.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit():
            field = parts[2] if len(parts) > 2 else "row"
            per_line.setdefault(int(parts[1]), {}).setdefault(field, []).extend(errors)
        elif key == "lines":
            general.extend(errors)
        else:
            rest[key] = errors
    return per_line, general, ValidationError(rest) if rest else None


def product_choices() -> list[Product]:
    return list(Product.objects.filter(active=True).order_by("name", "id")[:2000])


# ------------------------------------------------------------------------------ forms


def relax(form: Any) -> Any:
    """The document's date may be left empty: today."""
    for name in ("issued_on", "ordered_at"):
        if name in form.fields:
            form.fields[name].required = False
    return form


@page
@require_http_methods(["GET", "POST"])
def document_form(request: HttpRequest, entity: str, pk: int | None = None) -> HttpResponse:
    """New and edit pages of a quote, order or invoice: the record's fields and its lines."""
    resource = web_resources.get(entity)
    user = request.user
    obj = None
    if pk is not None:
        obj = get_record(user, resource, pk)
        if obj.deleted_at is not None:
            raise Http404
        access.require(user, obj, "change")
    else:
        access.require_create(user, entity)
    form_class = record_form_class(resource, with_version=obj is not None)
    line_errors: dict[int, dict[str, list[str]]] = {}
    lines_error: list[str] = []
    if request.method == "POST":
        form = relax(form_class(request.POST, user=user, instance=obj))
        rows, payload = posted_lines(request.POST)
        if form.is_valid():
            data = form.api_data(changed_only=obj is not None)
            if obj is None:
                data = {k: v for k, v in data.items() if not (
                    v is None and k in ("issued_on", "ordered_at", "status", "currency", "total"))}
            data["lines"] = payload
            try:
                if obj is None:
                    saved = records.create(entity, data, actor=user, source="web")
                else:
                    saved = records.update(obj, data, actor=user, source="web",
                                           expected_version=form.cleaned_data.get("version"))
            except records.StaleVersion:
                form.add_error(None, stale_message())
            except ValidationError as exc:
                line_errors, lines_error, rest = split_errors(exc)
                if rest is not None:
                    form.apply_errors(rest)
                if line_errors or lines_error:
                    form.add_error(None, _("Check the lines."))
            else:
                messages.success(request, _("Changes saved.") if obj else
                                 _("%(label)s created.") % {"label": resource.label.capitalize()})
                return redirect(safe_next(request, record_url(entity, saved.pk)))
    else:
        initial = None
        if obj is None:
            initial = {"owner_id": user.pk, "issued_on": timezone.localdate(),
                       "ordered_at": timezone.localtime().replace(second=0, microsecond=0)}
            initial.update(prefill_initial(resource, request.GET, form_class))
        form = relax(form_class(user=user, instance=obj, initial=initial)
                     if initial is not None else form_class(user=user, instance=obj))
        rows = stored_rows(obj) if obj is not None else []
    shown = [{**row, "errors": line_errors.get(i, {})} for i, row in enumerate(rows)]
    if request.method == "GET":
        shown += [{**blank_row(), "errors": {}} for _i in range(EMPTY_ROWS if not rows else 1)]
    return render(request, "sales/document_form.html", {
        "resource": resource, "form": form, "obj": obj,
        "title": resource.definition.title(obj) if obj else "",
        "rows": shown, "lines_error": lines_error, "products": product_choices(),
        "blank": blank_row(),
        "cancel_url": record_url(entity, obj.pk) if obj else safe_next(request, f"/{entity}/"),
        "next": request.GET.get("next", "") or request.POST.get("next", ""),
    })


# ------------------------------------------------------------------------------ actions


def _document(request: HttpRequest, entity: str, pk: int, action: str = "view") -> Any:
    resource = web_resources.get(entity)
    obj = get_record(request.user, resource, pk)
    if obj.deleted_at is not None:
        raise Http404
    if action != "view":
        access.require(request.user, obj, action)
    return obj


@page
def document_pdf(request: HttpRequest, entity: str, pk: int) -> HttpResponse:
    obj = _document(request, entity, pk)
    response = HttpResponse(pdf.render(obj), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(obj)}"'
    return response


def _flow(request: HttpRequest, entity: str, pk: int, run: Any, success: str,
          target: str | None = None) -> HttpResponse:
    try:
        result = run()
    except services.DocumentConflict as exc:
        messages.error(request, str(exc))
        return redirect(record_url(entity, pk))
    except ValidationError as exc:
        found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for errors in found.values():
            for message in errors:
                messages.error(request, message)
        return redirect(record_url(entity, pk))
    messages.success(request, success)
    return redirect(record_url(target or entity, result.pk))


@page
@require_POST
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _document(request, "quotes", pk, "change")
    access.require_create(request.user, "orders")
    return _flow(request, "quotes", pk,
                 lambda: services.accept_quote(quote, actor=request.user, source="web"),
                 _("Quote accepted: its order was created."), "orders")


@page
@require_POST
def order_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    order = _document(request, "orders", pk, "change")
    access.require_create(request.user, "invoices")
    return _flow(request, "orders", pk,
                 lambda: services.invoice_order(order, actor=request.user, source="web"),
                 _("Draft invoice created from the order."), "invoices")


@page
@require_POST
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _document(request, "invoices", pk, "change")
    return _flow(request, "invoices", pk,
                 lambda: services.issue_invoice(invoice, actor=request.user, source="web"),
                 _("Invoice issued."))


@page
@require_POST
def invoice_credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _document(request, "invoices", pk)
    access.require_create(request.user, "invoices")
    return _flow(request, "invoices", pk,
                 lambda: services.credit_note(invoice, actor=request.user, source="web"),
                 _("Draft credit note created: check it and issue it."))


@page
@require_http_methods(["GET", "POST"])
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _document(request, "quotes", pk, "change")
    errors: dict[str, list[str]] = {}
    values = {
        "to": quote.contact.email if quote.contact_id and quote.contact.email else "",
        "cc": "",
        "subject": _("Quote %(number)s") % {"number": quote.number},
        "message": _("Hello,\n\nPlease find attached our quote %(number)s.\n\nBest regards,\n"
                     "%(name)s") % {"number": quote.number,
                                    "name": request.user.get_full_name() or
                                    request.user.username},
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        try:
            sent_to, _activity = services.send_quote(
                quote, actor=request.user, to=values["to"], cc=values["cc"] or None,
                subject=values["subject"], message=values["message"], source="web")
        except ValidationError as exc:
            errors = exc.message_dict
        except services.MailFailed as exc:
            errors = {"general": [str(exc)]}
        else:
            messages.success(request, _("Quote sent to %(to)s.") % {"to": ", ".join(sent_to)})
            return redirect(record_url("quotes", pk))
    return render(request, "sales/quote_send.html", {
        "resource": web_resources.get("quotes"), "obj": quote, "values": values,
        "errors": errors, "title": quote.number or f"#{quote.pk}",
        "attachment": pdf.filename(quote),
    })


# ------------------------------------------------------------------------------ price lists


@page
@require_http_methods(["GET", "POST"])
def price_entries(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the prices of a price list: one row per product."""
    resource = web_resources.get("price-lists")
    price_list = get_record(request.user, resource, pk)
    access.require(request.user, price_list, "change")
    if not services.may_write_catalogue(request.user, "price-lists"):
        raise access.PermissionDenied(_("Only administrators may change price lists."))
    errors: dict[int, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        ids = request.POST.getlist("entry-product_id")
        prices = request.POST.getlist("entry-unit_price")
        entries, rows = [], []
        for product_id, price in zip(ids, prices, strict=False):
            if not product_id.strip() and not price.strip():
                continue
            rows.append({"product_id": product_id, "unit_price": price})
            entries.append({"product_id": int(product_id) if product_id.isdigit() and
                            len(product_id) < 19 else product_id,
                            "unit_price": price.strip().replace(",", ".")})
        try:
            records.update(price_list, {"entries": entries}, actor=request.user, source="web")
        except ValidationError as exc:
            for key, messages_ in exc.message_dict.items():
                parts = key.split(".")
                if len(parts) >= 2 and parts[1].isdigit():
                    errors.setdefault(int(parts[1]), []).extend(messages_)
                else:
                    general.extend(messages_)
        else:
            messages.success(request, _("Prices saved."))
            return redirect(record_url("price-lists", pk))
    else:
        rows = [{"product_id": str(e.product_id), "unit_price": str(e.unit_price)}
                for e in price_list.entries.order_by("product__name")]
        rows.append({"product_id": "", "unit_price": ""})
    shown = [{**row, "errors": errors.get(i, [])} for i, row in enumerate(rows)]
    return render(request, "sales/price_entries_form.html", {
        "resource": resource, "obj": price_list, "rows": shown, "general": general,
        "products": product_choices(), "title": price_list.name,
    })
