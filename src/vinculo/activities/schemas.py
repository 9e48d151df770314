"""API schemas of activities (contract §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, StrictSchema

Kind = Literal["call", "email", "meeting", "note", "task", "chat", "sms", "social", "visit"]
Direction = Literal["inbound", "outbound", ""]


class ActivityPatch(StrictSchema):
    kind: Kind | None = None
    subject: str | None = Field(None, max_length=300)
    body: str | None = None
    direction: Direction | None = None
    occurred_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    remind_at: dt.datetime | None = None
    done: bool | None = None
    duration_minutes: int | None = Field(None, ge=0, le=100_000)
    outcome: str | None = Field(None, max_length=120)
    contact_id: int | None = None
    account_id: int | None = None
    lead_id: int | None = None
    opportunity_id: int | None = None
    case_id: int | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = None


class ActivityIn(ActivityPatch):
    kind: Kind = "note"


class ActivityOut(OwnedOut):
    kind: str
    subject: str
    body: str
    direction: str
    occurred_at: dt.datetime
    due_at: dt.datetime | None
    remind_at: dt.datetime | None
    done: bool
    done_at: dt.datetime | None
    duration_minutes: int | None
    outcome: str
    contact_id: int | None
    account_id: int | None
    lead_id: int | None
    opportunity_id: int | None
    case_id: int | None


class TimelineItemOut(Schema):
    source: str = Field(..., description='"activity", "order", "change", …')
    kind: str = Field(..., description='The activity kind ("call", "task", …), "order" or '
                                       '"change".')
    at: dt.datetime
    id: int = Field(..., description="The id of the activity, order or audit entry.")
    title: str
    body: str
    url: str | None
    actor: str | None


class TimelinePage(Schema):
    items: list[TimelineItemOut]
    next_cursor: str | None
