"""API schemas of leads (contract §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field

from vinculo.platform.crud import OwnedOut, StrictSchema

Source = Literal["web", "email", "phone", "chat", "social", "event", "referral", "import",
                 "other"]
Status = Literal["new", "working", "qualified", "disqualified", "converted"]


class LeadPatch(StrictSchema):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    company: str | None = Field(None, max_length=200)
    title: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=300)
    industry: str | None = Field(None, max_length=100)
    employees: int | None = Field(None, ge=0, le=10_000_000)
    street: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, max_length=2, description="ISO 3166 alpha-2")
    source: Source | None = None
    status: Status | None = None
    disqualified_reason: str | None = Field(None, max_length=200)
    description: str | None = None
    email_opt_in: bool | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = None


class LeadIn(LeadPatch):
    pass


class LeadOut(OwnedOut):
    first_name: str
    last_name: str
    company: str
    title: str
    email: str
    phone: str
    website: str
    industry: str
    employees: int | None
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    source: str
    status: str
    disqualified_reason: str
    description: str
    score: int
    score_reasons: list[Any]
    email_opt_in: bool
    consent_text: str
    consent_at: dt.datetime | None
    converted_at: dt.datetime | None
    converted_contact_id: int | None
    converted_account_id: int | None
    converted_opportunity_id: int | None
