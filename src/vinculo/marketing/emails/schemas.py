"""API schemas of e-mail templates and campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, StrictSchema

Language = Literal["en", "es"]


class TemplatePatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    subject_en: str | None = Field(None, max_length=300)
    subject_es: str | None = Field(None, max_length=300)
    html_en: str | None = Field(None, max_length=500_000)
    html_es: str | None = Field(None, max_length=500_000)
    text_en: str | None = Field(None, max_length=200_000)
    text_es: str | None = Field(None, max_length=200_000)
    owner_id: int | None = None


class TemplateIn(TemplatePatch):
    name: str = Field(..., min_length=1, max_length=200)


class TemplateOut(OwnedOut):
    name: str
    subject_en: str
    subject_es: str
    html_en: str
    html_es: str
    text_en: str
    text_es: str


class CampaignPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    template_id: int | None = Field(None, ge=1, le=2**63 - 1)
    language: Language | None = None
    campaign_id: int | None = Field(None, ge=1, le=2**63 - 1)
    segment_id: int | None = Field(None, ge=1, le=2**63 - 1)
    list_id: int | None = Field(None, ge=1, le=2**63 - 1)
    from_email: str | None = Field(None, max_length=254)
    owner_id: int | None = None


class CampaignIn(CampaignPatch):
    name: str = Field(..., min_length=1, max_length=200)
    template_id: int = Field(..., ge=1, le=2**63 - 1)


class CampaignOut(OwnedOut):
    name: str
    template_id: int
    language: str
    campaign_id: int | None
    segment_id: int | None
    list_id: int | None
    from_email: str
    status: str
    scheduled_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    excluded_count: int


class PreviewIn(StrictSchema):
    contact_id: int | None = Field(None, ge=1, le=2**63 - 1)
    language: Language | None = None


class PreviewOut(Schema):
    subject: str
    html: str
    text: str
    contact_id: int | None


class TestIn(StrictSchema):
    to: list[str] | str
    contact_id: int | None = Field(None, ge=1, le=2**63 - 1)


class TestOut(Schema):
    sent_to: list[str]
    message_ids: list[str]


class ScheduleIn(StrictSchema):
    at: dt.datetime | None = None


class AudienceOut(Schema):
    recipients: int
    excluded: int


class RecipientOut(Schema):
    id: int
    contact_id: int
    email: str
    status: str
    message_id: str | None = None
    sent_at: dt.datetime | None
    opened_at: dt.datetime | None
    clicked_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None
    bounced_at: dt.datetime | None
    error: str


class BounceIn(StrictSchema):
    message_id: str | None = Field(None, max_length=250)
    raw: str | None = Field(None, max_length=2_000_000)
    reason: str = Field("", max_length=2000)


class BounceOut(Schema):
    recorded: bool
    message_id: str | None
    detail: str
