"""API schemas of accounts and contacts (contract §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, StrictSchema

LifecycleStage = Literal["subscriber", "lead", "customer", "evangelist", "other"]
Channel = Literal["email", "phone", "sms", "chat", "social", "mail", ""]


class AddressFields(StrictSchema):
    street: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2, description="ISO 3166 alpha-2")


class AccountPatch(AddressFields):
    name: str | None = Field(None, min_length=1, max_length=200)
    domain: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=300)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    employees: int | None = Field(None, ge=0, le=10_000_000)
    parent_id: int | None = None
    owner_id: int | None = None
    description: str | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None


class AccountIn(AccountPatch):
    name: str = Field(..., min_length=1, max_length=200)


class AccountOut(OwnedOut):
    name: str
    domain: str
    industry: str
    phone: str
    website: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    annual_revenue: Decimal | None
    employees: int | None
    parent_id: int | None
    description: str
    tags: list[str]
    merged_into_id: int | None = Field(None, description="Set when merged into another account.")

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [t.name for t in obj.tags.all()]


class ContactPatch(AddressFields):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    mobile: str | None = Field(None, max_length=40)
    title: str | None = Field(None, max_length=120)
    account_id: int | None = None
    birthdate: dt.date | None = None
    lifecycle_stage: LifecycleStage | None = None
    preferred_channel: Channel | None = None
    email_opt_in: bool | None = None
    email_opt_in_source: str | None = Field(None, max_length=120)
    do_not_contact: bool | None = None
    owner_id: int | None = None
    description: str | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None


class ContactIn(ContactPatch):
    pass


class ContactOut(OwnedOut):
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str
    mobile: str
    title: str
    account_id: int | None
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    birthdate: dt.date | None
    lifecycle_stage: str
    preferred_channel: str
    email_opt_in: bool
    email_opt_in_at: dt.datetime | None
    email_opt_in_source: str
    do_not_contact: bool
    description: str
    tags: list[str]
    merged_into_id: int | None = Field(None, description="Set when merged into another contact.")
    # Read-only scores (contract §6), written by the analytics fit, loyalty and surveys.
    rfm_segment: str = Field("", description="RFM segment from the last analytics fit.")
    rfm_score: str = Field("", description='Recency, frequency, monetary quintiles: "543".')
    p_alive: float | None = Field(None, description="Probability the customer is still active.")
    expected_purchases_90d: float | None = None
    clv: Decimal | None = Field(None, description="Customer lifetime value, base currency.")
    churn_risk: float | None = Field(None, description="0 (safe) to 1 (drifting away).")
    next_purchase_expected_by: dt.date | None = None
    loyalty_points: int = 0
    loyalty_tier: str = ""
    nps_score: int | None = Field(None, description="The contact's latest NPS answer (0–10).")

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [t.name for t in obj.tags.all()]


class MergeIn(StrictSchema):
    merge_ids: list[int] = Field(..., min_length=1, max_length=50,
                                 description="The records to fold into this one.")
    field_choices: dict[str, int] = Field(
        default_factory=dict,
        description='Fields to take from a merged record: {"phone": <its id>, …}.')


class ShareIn(StrictSchema):
    user_id: int | None = None
    team_id: int | None = None
    can_edit: bool = False


class ShareOut(Schema):
    id: int
    entity: str
    record_id: int
    user_id: int | None
    team_id: int | None
    can_edit: bool
    created_at: dt.datetime


class SharePage(Schema):
    items: list[ShareOut]


class ContactDuplicateOut(Schema):
    reasons: list[str] = Field(..., description='"email", "phone" and/or "name".')
    record: ContactOut


class ContactDuplicatePage(Schema):
    items: list[ContactDuplicateOut]


class AccountDuplicateOut(Schema):
    reasons: list[str] = Field(..., description='"domain" and/or "name".')
    record: AccountOut


class AccountDuplicatePage(Schema):
    items: list[AccountDuplicateOut]


class AccountPage(Schema):
    items: list[AccountOut]
    next_cursor: str | None
