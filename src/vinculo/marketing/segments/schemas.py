"""API shapes of segments."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema

Visibility = Literal["private", "team", "public"]


class SegmentIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=120)
    entity: str = Field("contacts", max_length=40, description="Any registered entity.")
    filter: dict[str, Any] = Field(default_factory=dict, description="A filter node (§3).")
    visibility: Visibility = "private"
    team_id: int | None = None
    description: str = Field("", max_length=5000)
    text: str = Field("", max_length=500,
                      description="The sentence the filter was understood from, if any.")


class SegmentPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    entity: str | None = Field(None, max_length=40)
    filter: dict[str, Any] | None = None
    visibility: Visibility | None = None
    team_id: int | None = None
    description: str | None = Field(None, max_length=5000)
    text: str | None = Field(None, max_length=500)


class SegmentOut(Schema):
    id: int
    version: int
    name: str
    entity: str
    filter: dict[str, Any]
    visibility: str
    team_id: int | None
    owner_id: int
    description: str
    text: str
    last_count: int | None = Field(None, description="Members when last counted.")
    counted_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class InterpretIn(StrictSchema):
    entity: str = Field("contacts", max_length=40)
    text: str = Field(..., min_length=1, max_length=500)
    language: Literal["en", "es"] | None = None


class ConditionOut(Schema):
    filter: dict[str, Any]
    explanation: str


class InterpretOut(Schema):
    filter: dict[str, Any]
    explanation: str
    unrecognized: list[str]
    count: int
    language: str
    conditions: list[ConditionOut] = Field(
        default_factory=list, description="The filter's top-level conditions, each explained.")


class CountIn(StrictSchema):
    entity: str = Field("contacts", max_length=40)
    filter: dict[str, Any] = Field(default_factory=dict)


class CountOut(Schema):
    count: int


class MembersPage(Schema):
    items: list[dict[str, Any]]
    next_cursor: str | None = None
    count: int | None = None
