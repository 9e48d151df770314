"""API schemas of reports."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema

VisibilityT = Literal["private", "team", "public"]
ChartT = Literal["bar", "stacked_bar", "line", "pie", "donut", "table", "kpi"]


class DefinitionIn(StrictSchema):
    entity: str = Field(..., max_length=40, description="Any entity of the filter language.")
    scope: dict[str, Any] = Field(default_factory=dict, description="A filter (contract §3).")
    dimensions: list[Any] = Field(
        default_factory=list, max_length=10,
        description='Up to two: `{"field": "owner"}`, `{"field": "ordered_at", "bucket": '
                    '"month"}` (day, week, month, quarter, year).')
    aggregates: list[Any] = Field(
        default_factory=lambda: [{"fn": "count"}], max_length=20,
        description='`{"fn": "count"}`, `{"fn": "sum", "field": "amount"}` (sum, avg, min, '
                    'max of a numeric field).')
    sort: str = Field("", max_length=80,
                      description="`dimension` or an aggregate key, `-` for descending.")
    limit: int = Field(100, description="Rows returned, 1 to 1000.")
    chart: ChartT = "bar"


class ReportIn(DefinitionIn):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=500)
    visibility: VisibilityT = "private"
    team_id: int | None = None
    shared_with_user_ids: list[int] = Field(default_factory=list, max_length=500)


class ReportPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=500)
    scope: dict[str, Any] | None = None
    dimensions: list[Any] | None = Field(None, max_length=10)
    aggregates: list[Any] | None = Field(None, max_length=20)
    sort: str | None = Field(None, max_length=80)
    limit: int | None = None
    chart: ChartT | None = None
    visibility: VisibilityT | None = None
    team_id: int | None = None
    shared_with_user_ids: list[int] | None = Field(None, max_length=500)


class ReportOut(Schema):
    id: int
    name: str
    description: str
    entity: str
    scope: dict[str, Any]
    dimensions: list[dict[str, Any]]
    aggregates: list[dict[str, Any]]
    sort: str
    limit: int
    chart: str
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


class RowOut(Schema):
    keys: list[Any]
    labels: list[str]
    values: dict[str, Any]


class SeriesOut(Schema):
    name: str
    key: str
    values: list[float]


class DataOut(Schema):
    dimensions: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    rows: list[RowOut]
    categories: list[str]
    series: list[SeriesOut]


class ScheduleIn(StrictSchema):
    frequency: Literal["daily", "weekly", "monthly"] = "weekly"
    attachment: Literal["csv", "xlsx"] = "csv"
    recipient_ids: list[int] = Field(..., min_length=1, max_length=200)
    active: bool = True


class ScheduleOut(Schema):
    id: int
    report_id: int
    frequency: str
    attachment: str
    recipient_ids: list[int]
    active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_recipient_ids(obj) -> list[int]:
        return [u.pk for u in obj.recipients.all()]
