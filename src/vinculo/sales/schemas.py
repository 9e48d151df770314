"""API schemas of products and orders (contract §4; the sales module extends them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, RecordOut, StrictSchema

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
    product_id: int | None = None
    description: str | None = Field(None, max_length=300)
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=12, decimal_places=2)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)


class LineOut(Schema):
    id: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    amount: Decimal


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
    total: Decimal
    currency: str
    notes: str
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())
