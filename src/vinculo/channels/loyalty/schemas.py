"""API schemas of the loyalty programme."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema


class EntryOut(Schema):
    id: int
    kind: str
    points: int
    key: str
    balance_after: int
    expires_at: dt.datetime | None = None
    note: str
    order_id: int | None = None
    created_at: dt.datetime


class LoyaltyOut(Schema):
    contact_id: int
    points: int
    tier: str
    lifetime_points: int
    ledger: list[EntryOut]


class AwardIn(StrictSchema):
    kind: Literal["review", "referral", "mention"]
    key: str = Field(..., min_length=1, max_length=150,
                     description="Identifies the review, referral or mention: posting the same "
                                 "key again awards nothing more.")
    points: int | None = Field(None, ge=1, le=10_000_000,
                               description="Default: the programme's points for the kind.")
    note: str = Field("", max_length=300)


class RedemptionIn(StrictSchema):
    points: int = Field(..., ge=1, le=10_000_000)
    key: str = Field(..., min_length=1, max_length=150,
                     description="Identifies the redemption: posting it again spends nothing "
                                 "more.")
    note: str = Field("", max_length=300)


class PostedOut(Schema):
    created: bool
    entry: EntryOut
    points: int
    tier: str


class TierIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=30)
    threshold: int = Field(..., ge=0, le=1_000_000_000)


class ProgrammeIn(StrictSchema):
    active: bool | None = None
    points_per_unit: Decimal | None = Field(None, ge=0, le=10_000, decimal_places=3)
    review_points: int | None = Field(None, ge=0, le=10_000_000)
    referral_points: int | None = Field(None, ge=0, le=10_000_000)
    mention_points: int | None = Field(None, ge=0, le=10_000_000)
    expiry_months: int | None = Field(None, ge=0, le=600)
    tiers: list[TierIn] | None = Field(None, max_length=20)


class ProgrammeOut(Schema):
    active: bool
    points_per_unit: Decimal
    review_points: int
    referral_points: int
    mention_points: int
    expiry_months: int
    tiers: list[dict]
    currency: str


class LedgerParams(Schema):
    limit: int = Field(50, ge=1, le=500)


AwardKind = Literal["review", "referral", "mention"]
