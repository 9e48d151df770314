"""API schemas of the inbox (contract §4 `conversations`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, StrictSchema

ChannelName = Literal["sms", "whatsapp", "social", "chat", "email", "web", "phone"]
StatusName = Literal["open", "waiting", "closed"]


class ConversationMessageOut(Schema):
    id: int
    direction: str
    body: str
    external_id: str
    delivery_status: str
    error: str
    author_id: int | None
    activity_id: int | None
    created_at: dt.datetime


class ConversationOut(OwnedOut):
    channel: str
    status: str
    subject: str
    address: str
    network: str
    contact_id: int | None
    assignee_id: int | None
    queue_id: int | None
    account_id: int | None
    lead_id: int | None
    case_id: int | None
    opportunity_id: int | None
    last_message_at: dt.datetime
    last_message_preview: str
    tags: list[str] = Field(default_factory=list)

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return sorted(t.name for t in obj.tags.all())


class ConversationDetail(ConversationOut):
    messages: list[ConversationMessageOut]
    sms_opted_out: bool = False


class ConversationPage(Schema):
    items: list[ConversationOut]
    next_cursor: str | None


class ConversationPatch(StrictSchema):
    status: StatusName | None = None
    assignee_id: int | None = None
    queue_id: int | None = None
    contact_id: int | None = None
    subject: str | None = Field(None, max_length=300)
    tags: list[str] | None = None


class ConversationStart(StrictSchema):
    contact_id: int
    channel: ChannelName | None = Field(None, description="Default: the contact's preferred "
                                                          "channel.")


class ConversationReplyIn(StrictSchema):
    body: str = Field(..., min_length=1, max_length=5000)


class ConversationConvertIn(StrictSchema):
    to: Literal["lead", "case", "opportunity"]


class ConversationConvertOut(Schema):
    entity: str
    id: int
    conversation: ConversationOut


class CallLogIn(StrictSchema):
    outcome: Literal["connected", "no_answer", "voicemail", "busy"]
    duration_minutes: int | None = Field(None, ge=0, le=24 * 60)
    notes: str = Field("", max_length=5000)


class CallActivityOut(Schema):
    id: int
    kind: str
    subject: str


class ContactHandleIn(StrictSchema):
    network: str = Field(..., min_length=1, max_length=40)
    handle: str = Field(..., min_length=1, max_length=120)


class ContactHandleOut(Schema):
    id: int
    network: str
    handle: str
