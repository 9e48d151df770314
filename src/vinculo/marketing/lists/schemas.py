"""API shapes of lists."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema

Visibility = Literal["private", "team", "public"]
ListEntity = Literal["contacts", "accounts", "leads"]


class ListIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=120)
    entity: ListEntity = "contacts"
    description: str = Field("", max_length=5000)
    visibility: Visibility = "private"
    team_id: int | None = None
    member_ids: list[int] | None = Field(None, max_length=10_000,
                                         description="The records to hold, by id.")


class ListPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    entity: ListEntity | None = None
    description: str | None = Field(None, max_length=5000)
    visibility: Visibility | None = None
    team_id: int | None = None
    member_ids: list[int] | None = Field(None, max_length=10_000,
                                         description="Replaces the members.")


class ListOut(Schema):
    id: int
    version: int
    name: str
    entity: str
    description: str
    visibility: str
    team_id: int | None
    owner_id: int
    member_count: int
    member_ids: list[int] | None = Field(
        None, description="All member ids when the list holds at most 1000, else null.")
    created_at: dt.datetime
    updated_at: dt.datetime


class MembersIn(StrictSchema):
    ids: list[Any] | None = Field(None, description="Record ids.")
    segment_id: int | None = Field(None, description="Add a segment's current members.")
    filter: dict[str, Any] | None = Field(None, description="Add the records a filter selects.")
    q: str | None = Field(None, max_length=200, description="Add the records a search finds.")


class MembersRemoveIn(StrictSchema):
    ids: list[Any]


class AddOut(Schema):
    added: int
    matched: int
    skipped: int
    member_count: int


class RemoveOut(Schema):
    removed: int
    member_count: int


class ImportRowOut(Schema):
    row: int
    value: str
    reason: str


class ImportOut(Schema):
    added: int
    matched: int
    unmatched: list[ImportRowOut]
    member_count: int


class MembersPage(Schema):
    items: list[dict[str, Any]]
    next_cursor: str | None = None


class ShareIn(StrictSchema):
    partner_name: str = Field(..., min_length=1, max_length=200)
    partner_email: str = Field("", max_length=254)
    fields: list[str] | None = None
    allow_download: bool = True
    days: int | None = Field(None, description="How long the link lasts (1–365, default 30).")
    expires_at: dt.datetime | None = None


class ShareOut(Schema):
    id: int
    list_id: int
    partner_name: str
    partner_email: str
    fields: list[str]
    allow_download: bool
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    created_at: dt.datetime
    url: str | None = Field(None, description="The link to send to the partner.")
    access_count: int = 0


class AccessOut(Schema):
    id: int
    at: dt.datetime
    ip: str | None
    user_agent: str
    kind: str


class ExportSummaryOut(Schema):
    format: str
    included: int
    excluded: int
