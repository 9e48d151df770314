"""API schemas of business rules and plug-ins."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema

Action = Literal["refuse", "set", "require"]


class RulePatch(StrictSchema):
    entity: str | None = Field(None, max_length=40, description="`contacts`, `opportunities`, …")
    name: str | None = Field(None, max_length=120)
    condition: dict[str, Any] | None = Field(
        None, description="A filter-language node, plus `changed`, `changed_from`, "
                          "`changed_to` conditions; empty: every create and update.")
    action: Action | None = None
    values: dict[str, Any] | None = Field(None, description="`set`: {field: value}.")
    fields: list[str] | None = Field(
        None, max_length=100, description="`require`: the fields that must have a value; "
                                          "`refuse`: the fields the message is shown on.")
    message: dict[str, str] | str | None = Field(
        None, description='{"en": "…", "es": "…"}: shown in the user\'s language.')
    active: bool | None = None
    order: int | None = Field(None, ge=-1_000_000, le=1_000_000)


class RuleIn(RulePatch):
    entity: str = Field(..., max_length=40)
    name: str = Field(..., max_length=120)
    action: Action


class RuleOut(Schema):
    id: int
    entity: str
    name: str
    condition: dict[str, Any]
    action: str
    values: dict[str, Any]
    fields: list[str]
    message: dict[str, str]
    active: bool
    order: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PluginHookOut(Schema):
    entity: str
    stage: str
    name: str
    order: int
    operations: list[str]


class PluginOut(Schema):
    name: str
    description: str
    hooks: list[PluginHookOut]
