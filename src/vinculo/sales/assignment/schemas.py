"""API schemas of assignment rules and the assignment log."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema

MethodName = Literal["user", "round_robin", "fewest_open", "territory"]


class TerritoryIn(StrictSchema):
    country: str | None = Field(None, max_length=2, description="ISO 3166 alpha-2")
    regions: list[str] | None = Field(None, max_length=500)
    postal_from: str | None = Field(None, max_length=20)
    postal_to: str | None = Field(None, max_length=20)
    user_id: int


class RulePatch(StrictSchema):
    entity: str | None = Field(None, max_length=40, description="`leads`, `opportunities`, …")
    name: str | None = Field(None, max_length=120)
    order: int | None = Field(None, ge=-1_000_000, le=1_000_000)
    active: bool | None = None
    condition: dict[str, Any] | None = Field(
        None, description="A filter-language node; empty: every record.")
    method: MethodName | None = None
    user_id: int | None = None
    team_id: int | None = None
    territories: list[TerritoryIn] | None = Field(None, max_length=1000)
    only_unowned: bool | None = Field(
        None, description="Apply only when whoever creates the record gives no owner_id.")


class RuleIn(RulePatch):
    entity: str = Field(..., max_length=40)
    name: str = Field(..., max_length=120)
    method: MethodName


class TerritoryOut(Schema):
    country: str
    regions: list[str]
    postal_from: str
    postal_to: str
    user_id: int | None


class RuleOut(Schema):
    id: int
    entity: str
    name: str
    order: int
    active: bool
    condition: dict[str, Any]
    method: str
    user_id: int | None
    team_id: int | None
    territories: list[TerritoryOut]
    only_unowned: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class MoveIn(StrictSchema):
    direction: Literal["up", "down"]


class ApplyIn(StrictSchema):
    entity: str = Field(..., max_length=40)
    ids: list[int] | None = Field(None, max_length=50_000)
    filter: dict[str, Any] | None = None


class ApplyOut(Schema):
    assigned: int
    unchanged: int
    skipped: int = Field(description="Ids not found or that you may not change.")


class AssignmentOut(Schema):
    id: int
    entity: str
    record_id: int
    rule_id: int | None
    rule_name: str
    owner_id: int | None
    previous_owner_id: int | None
    actor_id: int | None
    source: str
    at: dt.datetime
