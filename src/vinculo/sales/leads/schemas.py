"""API schemas of leads (contract §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator

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
    conversion_probability: float | None
    email_opt_in: bool
    consent_text: str
    consent_at: dt.datetime | None
    converted_at: dt.datetime | None
    converted_contact_id: int | None
    converted_account_id: int | None
    converted_opportunity_id: int | None


# ---------------------------------------------------------------------------- conversion


class ConvertOpportunityIn(StrictSchema):
    name: str | None = Field(None, max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    pipeline_id: int | None = Field(None, ge=1, le=2**63 - 1)
    stage_id: int | None = Field(None, ge=1, le=2**63 - 1)
    expected_close_date: dt.date | None = None


class ConvertIn(StrictSchema):
    account_id: int | None = Field(None, ge=1, le=2**63 - 1,
                                   description="Link this existing account.")
    create_account: bool | None = Field(
        None, description="true: a new account from the lead's company; false: no account; "
                          "unset: an account with the same company name or domain, else new.")
    contact_id: int | None = Field(None, ge=1, le=2**63 - 1,
                                   description="Link this existing contact.")
    create_contact: bool | None = Field(
        None, description="true: a new contact; false: no contact; unset: the contact with "
                          "the lead's email, else new.")
    opportunity: ConvertOpportunityIn | None = Field(
        None, description="An opportunity to open (default pipeline and its first stage "
                          "unless given); null: none.")


class ConversionOut(Schema):
    contact_id: int | None
    account_id: int | None
    opportunity_id: int | None
    warnings: list[str] = []


class MatchOut(Schema):
    entity: str = Field(description='"leads" or "contacts".')
    id: int
    title: str
    subtitle: str
    reasons: list[str] = Field(description='"email", "phone" and/or "name".')
    url: str


class DuplicatePage(Schema):
    items: list[MatchOut]


class CandidateOut(Schema):
    id: int
    title: str
    subtitle: str
    url: str


class CandidatesOut(Schema):
    accounts: list[CandidateOut]
    contacts: list[CandidateOut]
    account_id: int | None = Field(description="The account linked by default.")
    contact_id: int | None = Field(description="The contact linked by default.")
    pipeline_id: int | None = Field(description="The default pipeline for the opportunity.")


class LeadEventIn(StrictSchema):
    kind: Literal["email_click", "form_submission"]
    detail: dict[str, Any] = Field(default_factory=dict,
                                   description='Anything worth keeping, e.g. {"url": "…"}.')

    @field_validator("detail")
    @classmethod
    def _small(cls, value: dict[str, Any]) -> dict[str, Any]:
        import json

        if len(json.dumps(value)) > 5000:
            raise ValueError("At most 5000 characters of detail.")
        return value


class LeadEventOut(Schema):
    id: int
    kind: str
    at: dt.datetime
    form_id: int | None
    detail: dict[str, Any]


# ---------------------------------------------------------------------------- web forms


class FormFieldIn(StrictSchema):
    name: str = Field(max_length=80, description='A lead field ("email") or "custom.<key>".')
    label_en: str = Field("", max_length=200)
    label_es: str = Field("", max_length=200)
    required: bool = False


class WebFormPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    fields: list[FormFieldIn] | None = Field(None, max_length=40)
    title_en: str | None = Field(None, max_length=200)
    title_es: str | None = Field(None, max_length=200)
    thank_you_en: str | None = Field(None, max_length=5000)
    thank_you_es: str | None = Field(None, max_length=5000)
    redirect_url: str | None = Field(None, max_length=500)
    owner_id: int | None = Field(None, ge=1, le=2**63 - 1)
    use_assignment_rules: bool | None = None
    source: Source | None = None
    consent_text_en: str | None = Field(None, max_length=500)
    consent_text_es: str | None = Field(None, max_length=500)
    consent_required: bool | None = None
    active: bool | None = None


class WebFormIn(WebFormPatch):
    name: str = Field(min_length=1, max_length=120)
    fields: list[FormFieldIn] = Field(min_length=1, max_length=40)


class WebFormOut(Schema):
    id: int
    version: int
    key: str
    name: str
    fields: list[dict[str, Any]]
    title_en: str
    title_es: str
    thank_you_en: str
    thank_you_es: str
    redirect_url: str
    owner_id: int | None
    use_assignment_rules: bool
    source: str
    consent_text_en: str
    consent_text_es: str
    consent_required: bool
    active: bool
    submissions: int
    url: str = Field(description="The public page of the form.")
    snippet: str = Field(description="HTML to paste into any web page.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_url(obj) -> str:
        from .webforms import public_url

        return public_url(obj)

    @staticmethod
    def resolve_snippet(obj) -> str:
        from .webforms import snippet

        return snippet(obj)


# ---------------------------------------------------------------------------- scoring rules


class ScoringRulePatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: Literal["fit", "engagement"] | None = None
    condition: dict[str, Any] | None = Field(None, description="Fit: a filter on leads.")
    event: Literal["activity", "email_click", "form_submission"] | None = None
    activity_kind: Literal["call", "email", "meeting", "note", "task", "chat", "sms", "social",
                           "visit"] | None = None
    within_days: int | None = Field(None, ge=1, le=3650)
    points: int | None = Field(None, ge=-1000, le=1000)
    max_points: int | None = Field(None, ge=-100000, le=100000)
    active: bool | None = None
    order: int | None = Field(None, ge=0, le=1_000_000)


class ScoringRuleIn(ScoringRulePatch):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["fit", "engagement"] = "fit"
    points: int = Field(10, ge=-1000, le=1000)


class ScoringRuleOut(Schema):
    id: int
    version: int
    name: str
    kind: str
    condition: dict[str, Any]
    event: str
    activity_kind: str
    within_days: int | None
    points: int
    max_points: int | None
    active: bool
    order: int
    created_at: dt.datetime
    updated_at: dt.datetime
