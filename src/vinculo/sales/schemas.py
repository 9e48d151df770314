"""API schemas of products, price lists, exchange rates, quotes, orders and invoices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, RecordOut, StrictSchema

from .models import base_currency

Currency = Field(None, min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")


class ProductPatch(StrictSchema):
    sku: str | None = Field(None, min_length=1, max_length=60)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Currency
    active: bool | None = None
    stock: int | None = None
    custom: dict[str, Any] | None = None


class ProductIn(ProductPatch):
    sku: str = Field(..., min_length=1, max_length=60)
    name: str = Field(..., min_length=1, max_length=200)


class ProductOut(RecordOut):
    sku: str
    name: str
    description: str
    unit_price: Decimal
    currency: str
    active: bool
    stock: int | None


class LineIn(StrictSchema):
    """A line: the unit price defaults to the price list's, else to the product's own price in
    the document's currency. `discount` and `tax_rate` are percentages."""

    product_id: int | None = None
    description: str | None = Field(None, max_length=300)
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=12, decimal_places=2)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    tax_rate: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)


class CreditLineIn(LineIn):
    """A line of a credit note: give the quantity credited as a positive number."""


class LineOut(Schema):
    id: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    amount: Decimal = Field(description="Quantity × price less the discount, before tax.")
    tax_amount: Decimal


OrderStatus = Literal["draft", "confirmed", "fulfilled", "cancelled"]


class OrderPatch(StrictSchema):
    number: str | None = Field(None, max_length=40)
    account_id: int | None = None
    contact_id: int | None = None
    status: OrderStatus | None = None
    ordered_at: dt.datetime | None = None
    total: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Currency
    notes: str | None = None
    owner_id: int | None = None
    price_list_id: int | None = None
    lines: list[LineIn] | None = Field(None, max_length=1000)
    custom: dict[str, Any] | None = None


class OrderIn(OrderPatch):
    pass


class OrderOut(OwnedOut):
    number: str
    account_id: int | None
    contact_id: int | None
    status: str
    ordered_at: dt.datetime
    price_list_id: int | None
    quote_id: int | None
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    currency: str
    total_base: Decimal | None
    base_currency: str
    exchange_rate: Decimal | None
    notes: str
    lines: list[LineOut]

    @staticmethod
    def resolve_base_currency(obj) -> str:
        return base_currency()

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


# ------------------------------------------------------------------------------ price lists


class PriceEntryIn(StrictSchema):
    product_id: int
    unit_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)


class PriceEntryOut(Schema):
    product_id: int
    unit_price: Decimal


class PriceListPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    currency: str | None = Currency
    active: bool | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    description: str | None = None
    entries: list[PriceEntryIn] | None = Field(None, max_length=10_000)
    custom: dict[str, Any] | None = None


class PriceListIn(PriceListPatch):
    name: str = Field(..., min_length=1, max_length=200)
    currency: str = Field(..., min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")


class PriceListOut(RecordOut):
    name: str
    currency: str
    active: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    description: str
    entries: list[PriceEntryOut]

    @staticmethod
    def resolve_entries(obj) -> list:
        return list(obj.entries.all())


class ExchangeRatePatch(StrictSchema):
    currency: str | None = Currency
    rate: Decimal | None = Field(None, gt=0, max_digits=18, decimal_places=8)
    valid_on: dt.date | None = None
    custom: dict[str, Any] | None = None


class ExchangeRateIn(ExchangeRatePatch):
    currency: str = Field(..., min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    rate: Decimal = Field(..., gt=0, max_digits=18, decimal_places=8,
                          description="Units of the base currency for one unit of `currency`.")
    valid_on: dt.date


class ExchangeRateOut(RecordOut):
    currency: str
    rate: Decimal
    valid_on: dt.date
    base_currency: str

    @staticmethod
    def resolve_base_currency(obj) -> str:
        return base_currency()


# ------------------------------------------------------------------------------ quotes


QuoteStatus = Literal["draft", "sent", "accepted", "rejected", "expired"]


class QuotePatch(StrictSchema):
    number: str | None = Field(None, max_length=40)
    opportunity_id: int | None = None
    account_id: int | None = None
    contact_id: int | None = None
    status: QuoteStatus | None = None
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None
    currency: str | None = Currency
    price_list_id: int | None = None
    notes: str | None = None
    owner_id: int | None = None
    lines: list[LineIn] | None = Field(None, max_length=1000)
    custom: dict[str, Any] | None = None


class QuoteIn(QuotePatch):
    pass


class DocumentOut(OwnedOut):
    number: str
    account_id: int | None
    contact_id: int | None
    status: str
    currency: str
    price_list_id: int | None
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    total_base: Decimal | None
    base_currency: str
    exchange_rate: Decimal | None
    notes: str
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())

    @staticmethod
    def resolve_base_currency(obj) -> str:
        return base_currency()


class QuoteOut(DocumentOut):
    opportunity_id: int | None
    issued_on: dt.date
    valid_until: dt.date | None
    sent_at: dt.datetime | None
    accepted_at: dt.datetime | None
    order_id: int | None = None

    @staticmethod
    def resolve_order_id(obj) -> int | None:
        orders = list(obj.orders.all())
        return orders[0].pk if orders else None


class SendIn(StrictSchema):
    to: list[str] | str = Field(..., description="One address or a list of addresses.")
    cc: list[str] | None = Field(None, max_length=50)
    subject: str | None = Field(None, max_length=300)
    message: str | None = Field(None, max_length=20_000)


class SentOut(Schema):
    sent_to: list[str]
    activity_id: int | None
    quote: QuoteOut


# ------------------------------------------------------------------------------ invoices


InvoiceStatus = Literal["draft", "issued", "paid", "void"]


class InvoicePatch(StrictSchema):
    account_id: int | None = None
    contact_id: int | None = None
    status: InvoiceStatus | None = None
    currency: str | None = Currency
    price_list_id: int | None = None
    order_id: int | None = None
    due_on: dt.date | None = None
    paid_on: dt.date | None = None
    notes: str | None = None
    owner_id: int | None = None
    lines: list[LineIn] | None = Field(None, max_length=1000)
    custom: dict[str, Any] | None = None


class InvoiceIn(InvoicePatch):
    pass


class InvoiceOut(DocumentOut):
    kind: str
    order_id: int | None
    credit_of_id: int | None
    issued_on: dt.date | None
    due_on: dt.date | None
    paid_on: dt.date | None


class CreditNoteIn(StrictSchema):
    lines: list[CreditLineIn] | None = Field(
        None, max_length=1000, description="What to credit (positive quantities); all of the "
        "invoice when left out.")
    issue: bool = Field(False, description="Issue the credit note at once (it gets its number).")
