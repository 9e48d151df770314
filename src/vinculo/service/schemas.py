"""API schemas of the service module (contract §4)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, RecordOut, StrictSchema

CaseStatus = Literal["new", "open", "pending", "resolved", "closed"]
CasePriority = Literal["low", "normal", "high", "urgent"]
Method = Literal["manual", "round_robin", "least_loaded"]


class CasePatch(StrictSchema):
    subject: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    status: CaseStatus | None = None
    priority: CasePriority | None = None
    channel: str | None = Field(None, max_length=20)
    contact_id: int | None = None
    account_id: int | None = None
    order_id: int | None = None
    product_id: int | None = None
    queue_id: int | None = None
    assignee_id: int | None = None
    satisfaction: int | None = Field(None, ge=1, le=5)
    owner_id: int | None = None
    custom: dict[str, Any] | None = None


class CaseIn(CasePatch):
    subject: str = Field(..., min_length=1, max_length=300)


class CaseOut(OwnedOut):
    subject: str
    description: str
    status: str
    priority: str
    channel: str
    contact_id: int | None
    account_id: int | None
    order_id: int | None
    product_id: int | None
    queue_id: int | None
    assignee_id: int | None
    sla_policy_id: int | None
    first_response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    paused_at: dt.datetime | None
    paused_minutes: int
    satisfaction: int | None
    merged_into_id: int | None


class QueuePatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    member_ids: list[int] | None = None
    assignment: Method | None = None
    manager_id: int | None = None
    custom: dict[str, Any] | None = None


class QueueIn(QueuePatch):
    name: str = Field(..., min_length=1, max_length=120)


class QueueOut(RecordOut):
    name: str
    member_ids: list[int]
    assignment: str
    manager_id: int | None

    @staticmethod
    def resolve_member_ids(obj) -> list[int]:
        return sorted(m.pk for m in obj.members.all())


class SlaPolicyPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    priority: CasePriority | None = None
    account_tier: str | None = Field(None, max_length=40)
    first_response_minutes: int | None = Field(None, ge=1, le=1_000_000)
    resolution_minutes: int | None = Field(None, ge=1, le=1_000_000)
    calendar_id: int | None = None
    warn_percent: int | None = Field(None, ge=1, le=99)
    escalate_notify: bool | None = None
    escalate_reassign: bool | None = None
    escalate_raise_priority: bool | None = None
    custom: dict[str, Any] | None = None


class SlaPolicyIn(SlaPolicyPatch):
    name: str = Field(..., min_length=1, max_length=120)
    priority: CasePriority
    first_response_minutes: int = Field(..., ge=1, le=1_000_000)
    resolution_minutes: int = Field(..., ge=1, le=1_000_000)


class SlaPolicyOut(RecordOut):
    name: str
    priority: str
    account_tier: str
    first_response_minutes: int
    resolution_minutes: int
    calendar_id: int | None
    warn_percent: int
    escalate_notify: bool
    escalate_reassign: bool
    escalate_raise_priority: bool


class CalendarPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    time_zone: str | None = Field(None, max_length=64)
    hours: dict[str, list[list[str]]] | None = Field(
        None, description='Per weekday (0 = Monday): [["09:00", "17:00"], ...]')
    holidays: list[str] | None = Field(None, max_length=1000)
    custom: dict[str, Any] | None = None


class CalendarIn(CalendarPatch):
    name: str = Field(..., min_length=1, max_length=120)


class CalendarOut(RecordOut):
    name: str
    time_zone: str
    hours: dict[str, list[list[str]]]
    holidays: list[str]


class MacroPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    reply_en: str | None = None
    reply_es: str | None = None
    changes: dict[str, Any] | None = None
    custom: dict[str, Any] | None = None


class MacroIn(MacroPatch):
    name: str = Field(..., min_length=1, max_length=120)


class MacroOut(RecordOut):
    name: str
    reply_en: str
    reply_es: str
    changes: dict[str, Any]


class ApplyMacroIn(StrictSchema):
    macro_id: int
    language: Literal["en", "es"] | None = None


class MergeIn(StrictSchema):
    other_id: int


class QueueCasesPage(Schema):
    items: list[CaseOut]
    next_cursor: str | None
