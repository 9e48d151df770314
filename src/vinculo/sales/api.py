"""REST endpoints of products, price lists, exchange rates, quotes, orders and invoices."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router, Status

from vinculo.platform import access
from vinculo.platform.api import Conflict
from vinculo.platform.crud import ERRORS, ErrorOut, get_visible, resource_router

from . import pdf, services
from .models import Invoice, Order, PriceList, Quote
from .schemas import (
    CreditNoteIn,
    ExchangeRateIn,
    ExchangeRateOut,
    ExchangeRatePatch,
    InvoiceIn,
    InvoiceOut,
    InvoicePatch,
    OrderIn,
    OrderOut,
    OrderPatch,
    PriceListIn,
    PriceListOut,
    PriceListPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    QuoteIn,
    QuoteOut,
    QuotePatch,
    SendIn,
    SentOut,
)


def _quotes():
    return Quote.all_objects.prefetch_related("lines", "orders")


def _orders():
    return Order.all_objects.prefetch_related("lines")


def _invoices():
    return Invoice.all_objects.prefetch_related("lines")


products = resource_router("products", In=ProductIn, Patch=ProductPatch, Out=ProductOut)
price_lists = resource_router(
    "price-lists", In=PriceListIn, Patch=PriceListPatch, Out=PriceListOut,
    queryset=lambda: PriceList.all_objects.prefetch_related("entries"))
exchange_rates = resource_router("exchange-rates", In=ExchangeRateIn, Patch=ExchangeRatePatch,
                                 Out=ExchangeRateOut)
quotes = resource_router("quotes", In=QuoteIn, Patch=QuotePatch, Out=QuoteOut,
                         queryset=_quotes)
orders = resource_router("orders", In=OrderIn, Patch=OrderPatch, Out=OrderOut,
                         queryset=_orders)
invoices = resource_router("invoices", In=InvoiceIn, Patch=InvoicePatch, Out=InvoiceOut,
                           queryset=_invoices)

DOC_ERRORS = {404: ErrorOut, 409: ErrorOut, 422: ErrorOut, **ERRORS}


def _pdf_response(document) -> HttpResponse:
    response = HttpResponse(pdf.render(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(document)}"'
    return response


def _changeable(request, entity: str, record_id: int, queryset):
    user = request.auth
    obj = get_visible(user, entity, record_id, queryset)
    access.require(user, obj, "change")
    return obj


def _conflicts(func):
    try:
        return func()
    except services.DocumentConflict as exc:
        raise Conflict(str(exc)) from None


@quotes.get("/{int:record_id}/pdf", response={200: None, 404: ErrorOut, **ERRORS},
            operation_id="quotes_pdf", summary="The quote as a PDF")
def quote_pdf(request, record_id: int):
    return _pdf_response(get_visible(request.auth, "quotes", record_id, _quotes()))


@quotes.post("/{int:record_id}/accept", response={201: OrderOut, **DOC_ERRORS},
             operation_id="quotes_accept",
             summary="Accept a quote: its order is created with the same lines",
             description="Accepting a quote twice is a 409.")
def quote_accept(request, record_id: int):
    quote = _changeable(request, "quotes", record_id, _quotes())
    access.require_create(request.auth, "orders")
    order = _conflicts(lambda: services.accept_quote(quote, actor=request.auth))
    return Status(201, _orders().get(pk=order.pk))


@quotes.post("/{int:record_id}/send", response={200: SentOut, 502: ErrorOut, **DOC_ERRORS},
             operation_id="quotes_send",
             summary="E-mail the quote with its PDF attached",
             description="Marks a draft quote as sent and records an outbound e-mail on the "
                         "timeline of its contact and account.")
def quote_send(request, record_id: int, payload: SendIn):
    quote = _changeable(request, "quotes", record_id, _quotes())
    try:
        sent_to, activity = services.send_quote(
            quote, actor=request.auth, to=payload.to, cc=payload.cc, subject=payload.subject,
            message=payload.message)
    except services.MailFailed as exc:
        return Status(502, {"detail": str(exc)})
    return {"sent_to": sent_to, "activity_id": activity.pk if activity else None,
            "quote": _quotes().get(pk=quote.pk)}


@orders.get("/{int:record_id}/pdf", response={200: None, 404: ErrorOut, **ERRORS},
            operation_id="orders_pdf", summary="The order as a PDF")
def order_pdf(request, record_id: int):
    return _pdf_response(get_visible(request.auth, "orders", record_id, _orders()))


@orders.post("/{int:record_id}/invoice", response={201: InvoiceOut, **DOC_ERRORS},
             operation_id="orders_invoice",
             summary="Invoice an order: a draft invoice with the order's lines")
def order_invoice(request, record_id: int):
    order = _changeable(request, "orders", record_id, _orders())
    access.require_create(request.auth, "invoices")
    invoice = _conflicts(lambda: services.invoice_order(order, actor=request.auth))
    return Status(201, _invoices().get(pk=invoice.pk))


@invoices.get("/{int:record_id}/pdf", response={200: None, 404: ErrorOut, **ERRORS},
              operation_id="invoices_pdf", summary="The invoice as a PDF")
def invoice_pdf(request, record_id: int):
    return _pdf_response(get_visible(request.auth, "invoices", record_id, _invoices()))


@invoices.post("/{int:record_id}/issue", response={200: InvoiceOut, **DOC_ERRORS},
               operation_id="invoices_issue",
               summary="Issue a draft invoice: it gets the next number of its series",
               description="Numbers run without gaps per series and year (INV-2026-000001; "
                           "credit notes CN-…). An issued invoice can no longer be changed.")
def invoice_issue(request, record_id: int):
    invoice = _changeable(request, "invoices", record_id, _invoices())
    _conflicts(lambda: services.issue_invoice(invoice, actor=request.auth))
    return _invoices().get(pk=invoice.pk)


@invoices.post("/{int:record_id}/credit-note", response={201: InvoiceOut, **DOC_ERRORS},
               operation_id="invoices_credit_note",
               summary="Correct an issued invoice with a credit note",
               description="A negative invoice referring to this one: all of it, or the given "
                           "lines (positive quantities to credit).")
def invoice_credit_note(request, record_id: int, payload: CreditNoteIn | None = None):
    invoice = get_visible(request.auth, "invoices", record_id, _invoices())
    access.require_create(request.auth, "invoices")
    access.require(request.auth, invoice, "view")
    lines = None
    if payload is not None and payload.lines is not None:
        lines = [line.model_dump(exclude_unset=True) for line in payload.lines]
        for line in lines:
            for key, value in list(line.items()):
                if value is not None and key != "product_id" and key != "description":
                    line[key] = str(value)
    note = _conflicts(lambda: services.credit_note(
        invoice, actor=request.auth, lines=lines, issue=bool(payload and payload.issue)))
    return Status(201, _invoices().get(pk=note.pk))


router = Router()
router.add_router("/products", products)
router.add_router("/price-lists", price_lists)
router.add_router("/exchange-rates", exchange_rates)
router.add_router("/quotes", quotes)
router.add_router("/orders", orders)
router.add_router("/invoices", invoices)
