"""API schemas of pipelines, stages and opportunities (contract §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field

from vinculo.platform.crud import OwnedOut, RecordOut, StrictSchema

Kind = Literal["open", "won", "lost"]


class PipelinePatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None
    is_default: bool | None = None
    active: bool | None = None
    order: int | None = Field(None, ge=0, le=100_000)
    custom: dict[str, Any] | None = None


class PipelineIn(PipelinePatch):
    name: str = Field(..., min_length=1, max_length=120)


class PipelineOut(RecordOut):
    name: str
    description: str
    is_default: bool
    active: bool
    order: int


class StagePatch(StrictSchema):
    pipeline_id: int | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    order: int | None = Field(None, ge=0, le=100_000)
    probability: int | None = Field(None, ge=0, le=100)
    kind: Kind | None = None


class StageIn(StagePatch):
    pipeline_id: int
    name: str = Field(..., min_length=1, max_length=120)


class StageOut(RecordOut):
    pipeline_id: int
    name: str
    order: int
    probability: int
    kind: str


class OpportunityPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    account_id: int | None = None
    contact_id: int | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    expected_close_date: dt.date | None = None
    probability: int | None = Field(None, ge=0, le=100)
    lost_reason: str | None = Field(None, max_length=200)
    description: str | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = None


class OpportunityIn(OpportunityPatch):
    name: str = Field(..., min_length=1, max_length=200)


class OpportunityOut(OwnedOut):
    name: str
    account_id: int | None
    contact_id: int | None
    pipeline_id: int
    stage_id: int
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    probability: int
    status: str
    lost_reason: str
    description: str
    closed_at: dt.datetime | None
    stage_changed_at: dt.datetime | None
