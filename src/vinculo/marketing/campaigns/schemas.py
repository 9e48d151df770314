"""API schemas of campaigns, their planned items, members and ROI (contract §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import OwnedOut, RecordOut, StrictSchema

Kind = Literal["email", "event", "direct_mail", "social", "web", "phone"]
Status = Literal["planned", "active", "completed", "cancelled"]
MemberStatusName = Literal["targeted", "sent", "opened", "clicked", "responded", "converted",
                           "unsubscribed", "bounced"]


def Money() -> Any:  # noqa: N802 - a field factory
    return Field(None, ge=0, max_digits=14, decimal_places=2)


class CampaignPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Kind | None = None
    status: Status | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    budget: Decimal | None = Money()
    actual_cost: Decimal | None = Money()
    expected_revenue: Decimal | None = Money()
    currency: str | None = Field(None, min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")
    segment_id: int | None = Field(None, ge=1, le=2**63 - 1)
    list_id: int | None = Field(None, ge=1, le=2**63 - 1)
    description: str | None = None
    owner_id: int | None = None
    custom: dict[str, Any] | None = None


class CampaignIn(CampaignPatch):
    name: str = Field(..., min_length=1, max_length=200)


class CampaignOut(OwnedOut):
    name: str
    kind: str
    status: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    budget: Decimal
    actual_cost: Decimal
    expected_revenue: Decimal
    currency: str
    segment_id: int | None
    list_id: int | None
    description: str


class ItemPatch(StrictSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    kind: str | None = Field(None, max_length=20)
    owner_id: int | None = None
    due_on: dt.date | None = None
    budget: Decimal | None = Money()
    actual_cost: Decimal | None = Money()
    done: bool | None = None


class ItemIn(ItemPatch):
    title: str = Field(..., min_length=1, max_length=200)
    create_task: bool = Field(False, description="Also create a task activity for the owner.")


class ItemOut(RecordOut):
    campaign_id: int
    title: str
    kind: str
    owner_id: int | None
    due_on: dt.date | None
    budget: Decimal
    actual_cost: Decimal
    done: bool
    activity_id: int | None


class MembersIn(StrictSchema):
    ids: list[int] | None = Field(None, max_length=10_000, description="Contact ids.")
    from_: Literal["segment", "list"] | None = Field(
        None, alias="from", description="Add the members of the campaign's target segment or "
        "list (those you may see).")


class MembersAdded(Schema):
    added: int
    members: int


class MemberOut(Schema):
    id: int
    contact_id: int
    status: str
    added_at: dt.datetime
    first_touched_at: dt.datetime | None
    last_touched_at: dt.datetime | None
    responded_at: dt.datetime | None


class ResponseIn(StrictSchema):
    contact_id: int
    status: MemberStatusName
    at: dt.datetime | None = None


class RoiOut(Schema):
    budget: Decimal
    actual_cost: Decimal
    expected_revenue: Decimal
    members: int
    responses: int
    response_rate: float | None
    statuses: dict[str, int]
    leads: int
    opportunities: int
    orders: int
    revenue_first_touch: Decimal
    revenue_last_touch: Decimal
    roi_first_touch: float | None
    roi_last_touch: float | None
    cost_per_lead: Decimal | None
    currency: str
