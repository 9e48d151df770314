"""API schemas of surveys and the service dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema


class SurveyIn(StrictSchema):
    kind: Literal["nps", "csat"] = "nps"
    name: str = Field(..., min_length=1, max_length=200)
    question_en: str = Field("", max_length=300)
    question_es: str = Field("", max_length=300)


class SurveyOut(Schema):
    id: int
    kind: str
    name: str
    question_en: str
    question_es: str
    is_case_survey: bool
    created_at: dt.datetime
    sent: int = 0
    answered: int = 0
    response_rate: float | None = None
    nps: int | None = None
    csat_average: float | None = None


class ScoreCount(Schema):
    score: int
    count: int


class SurveyDetailOut(SurveyOut):
    distribution: list[ScoreCount]


class SendIn(StrictSchema):
    segment_id: int | None = Field(None, ge=1, le=2**63 - 1)
    list_id: int | None = Field(None, ge=1, le=2**63 - 1)


class SendOut(Schema):
    queued: int
    already_invited: int
    excluded: int


class QueueSettingIn(StrictSchema):
    csat_enabled: bool


class QueueSettingOut(Schema):
    queue_id: int
    name: str
    csat_enabled: bool


class DashboardParams(Schema):
    start: dt.date | None = None
    end: dt.date | None = None
    group: Literal["week", "month"] = "week"
    queue_id: int | None = Field(None, ge=1, le=2**63 - 1)
