"""API schemas of pipelines, stages and opportunities (contract §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, RecordOut, StrictSchema

Kind = Literal["open", "won", "lost"]


class PipelinePatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None
    is_default: bool | None = None
    active: bool | None = None
    order: int | None = Field(None, ge=0, le=100_000)
    lost_reasons: list[str] | None = Field(
        None, max_length=100, description="When set, a lost deal must give one of these.")
    custom: dict[str, Any] | None = None


class PipelineIn(PipelinePatch):
    name: str = Field(..., min_length=1, max_length=120)


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


class PipelineOut(RecordOut):
    name: str
    description: str
    is_default: bool
    active: bool
    order: int
    lost_reasons: list[str]
    stages: list[StageOut] = Field(description="The pipeline's stages, in order.")

    @staticmethod
    def resolve_lost_reasons(obj) -> list[str]:
        return obj.lost_reason_list()

    @staticmethod
    def resolve_stages(obj) -> list:
        return sorted(obj.stages.all(), key=lambda s: (s.order, s.id))


class ReorderIn(StrictSchema):
    stage_ids: list[int] = Field(..., max_length=500,
                                 description="Every stage of the pipeline, in the new order.")


class LineIn(StrictSchema):
    product_id: int | None = None
    description: str | None = Field(None, max_length=300)
    quantity: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)


class LineOut(Schema):
    id: int
    product_id: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    amount: Decimal


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
    lines: list[LineIn] | None = Field(
        None, max_length=1000,
        description="Products on the deal; when given, `amount` is their sum. `[]` removes them.")
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
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


class MoveIn(StrictSchema):
    stage_id: int
    version: int | None = Field(None, ge=1, description="The version the board showed; a "
                                "stale one gets 412.")
    lost_reason: str | None = Field(None, max_length=200)


class StageChangeOut(Schema):
    id: int
    from_stage_id: int | None
    from_stage: str | None
    to_stage_id: int | None
    to_stage: str | None
    at: dt.datetime
    actor_id: int | None
    actor: str | None
    seconds_in_previous: int | None

    @staticmethod
    def resolve_from_stage(obj) -> str | None:
        return obj.from_stage.name if obj.from_stage_id else None

    @staticmethod
    def resolve_to_stage(obj) -> str | None:
        return obj.to_stage.name if obj.to_stage_id else None

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class StageTimeOut(Schema):
    stage_id: int | None
    stage: str
    seconds: int
    current: bool


class StageHistoryOut(Schema):
    items: list[StageChangeOut]
    time_in_stage: list[StageTimeOut]


class QuotaPatch(StrictSchema):
    user_id: int | None = None
    team_id: int | None = None
    period: Literal["month", "quarter"] | None = None
    starts_on: dt.date | None = Field(None, description="Any day of the period; stored as "
                                      "its first day.")
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")


class QuotaIn(QuotaPatch):
    starts_on: dt.date
    amount: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2)


class QuotaOut(RecordOut):
    user_id: int | None
    team_id: int | None
    period: str
    starts_on: dt.date
    ends_on: dt.date = Field(description="The period's last day.")
    amount: Decimal
    currency: str

    @staticmethod
    def resolve_ends_on(obj) -> dt.date:
        return obj.ends_on - dt.timedelta(days=1)


class ForecastRowOut(Schema):
    key: Any = Field(description="The month (`2026-11`), owner id or team id; null for none.")
    label: str
    count: int
    amount: Decimal = Field(description="In the base currency.")
    weighted: Decimal = Field(description="Amount × probability, in the base currency.")
    other_currencies: dict[str, Decimal] = Field(
        description="Amounts with no exchange rate to the base currency, per currency.")
    weighted_other_currencies: dict[str, Decimal]


class ForecastQuotaOut(Schema):
    quota_id: int
    user_id: int | None
    team_id: int | None
    label: str
    period: str
    starts_on: dt.date
    ends_on: dt.date
    quota: Decimal
    currency: str
    won: Decimal = Field(description="Won in the period, in the base currency.")
    attainment: float | None = Field(description="won / quota (1.0 = 100 %).")


class ForecastTrendOut(Schema):
    month: str
    won_count: int
    won_amount: Decimal
    lost_count: int
    lost_amount: Decimal


class ForecastConversionOut(Schema):
    from_: dt.date = Field(alias="from")
    leads: int
    converted: int
    won_from_leads: int
    opportunities: int
    won: int
    lost: int
    lead_to_opportunity: float | None
    opportunity_to_won: float | None
    lead_to_won: float | None
    win_rate: float | None


class ForecastOut(Schema):
    group: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    pipeline_id: int | None
    currency: str = Field(description="The base currency of every amount.")
    rows: list[ForecastRowOut]
    total: ForecastRowOut
    undated: ForecastRowOut = Field(description="Open deals without an expected close date.")
    quotas: list[ForecastQuotaOut]
    trend: list[ForecastTrendOut] = Field(description="Won and lost per month, 12 months.")
    conversion: ForecastConversionOut
