"""API schemas of the platform's own resources: custom fields, saved views, search."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from .crud import StrictSchema

FieldType = Literal["text", "number", "decimal", "date", "boolean", "choice", "multi_choice",
                    "url", "email"]
VisibilityT = Literal["private", "team", "public"]


class CustomFieldIn(StrictSchema):
    entity: str = Field(..., max_length=40)
    key: str = Field(..., min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(..., min_length=1, max_length=120)
    label_es: str = Field("", max_length=120)
    type: FieldType = "text"
    choices: list[str] = Field(default_factory=list, max_length=500,
                               description="For `choice` and `multi_choice`.")
    required: bool = False
    order: int = Field(0, ge=0, le=10_000)


class CustomFieldPatch(StrictSchema):
    label: str | None = Field(None, min_length=1, max_length=120)
    label_es: str | None = Field(None, max_length=120)
    choices: list[str] | None = Field(None, max_length=500)
    required: bool | None = None
    order: int | None = Field(None, ge=0, le=10_000)


class CustomFieldOut(Schema):
    id: int
    entity: str
    key: str
    label: str
    label_es: str
    type: str
    choices: list[str]
    required: bool
    order: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ViewIn(StrictSchema):
    entity: str = Field(..., max_length=40)
    name: str = Field(..., min_length=1, max_length=120)
    filter: dict[str, Any] = Field(default_factory=dict)
    columns: list[str] = Field(default_factory=list, max_length=50)
    ordering: list[str] = Field(default_factory=list, max_length=5)
    visibility: VisibilityT = "private"
    team_id: int | None = None
    shared_with_user_ids: list[int] = Field(default_factory=list, max_length=500)


class ViewPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    filter: dict[str, Any] | None = None
    columns: list[str] | None = Field(None, max_length=50)
    ordering: list[str] | None = Field(None, max_length=5)
    visibility: VisibilityT | None = None
    team_id: int | None = None
    shared_with_user_ids: list[int] | None = Field(None, max_length=500)


class ViewOut(Schema):
    id: int
    entity: str
    name: str
    filter: dict[str, Any]
    columns: list[str]
    ordering: list[str]
    visibility: str
    owner_id: int
    team_id: int | None
    shared_with_user_ids: list[int]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_shared_with_user_ids(obj) -> list[int]:
        return [u.pk for u in obj.shared_with.all()]


class TagOut(Schema):
    id: int
    name: str
    color: str


class SearchHitOut(Schema):
    entity: str
    id: int
    title: str
    subtitle: str
    url: str


class SearchOut(Schema):
    items: list[SearchHitOut]
