"""API schemas of workflows, their runs and e-mail templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema


class WorkflowPatch(StrictSchema):
    entity: str | None = Field(None, max_length=40, description="`contacts`, `leads`, …")
    name: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=5000)
    trigger: dict[str, Any] | None = Field(
        None, description='`{"on": "created"}`, `{"on": "updated"}`, `{"on": "field_changed", '
                          '"field": …, "to": …}`, `{"on": "schedule", "cron": …}`, `{"on": '
                          '"date", "field": …, "offset_days": …}`, `{"on": "webhook"}`')
    condition: dict[str, Any] | None = Field(None, description="A filter node (contract §3).")
    steps: list[Any] | None = Field(None, max_length=100)
    active: bool | None = None


class WorkflowIn(WorkflowPatch):
    entity: str = Field(..., max_length=40)
    name: str = Field(..., max_length=120)
    trigger: dict[str, Any]
    steps: list[Any] = Field(..., max_length=100)


class WorkflowOut(Schema):
    id: int
    entity: str
    name: str
    description: str
    trigger: dict[str, Any]
    condition: dict[str, Any]
    steps: list[Any]
    active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    run_as_id: int | None
    hook_url: str | None = Field(None, description="For webhook triggers: where to POST.")
    hook_token: str | None = Field(None, description="For webhook triggers: the token to send "
                                   "as `X-Vinculo-Token` (administrators only).")

    @staticmethod
    def resolve_hook_url(obj) -> str | None:
        if (obj.trigger or {}).get("on") != "webhook":
            return None
        return f"/api/v1/workflows/{obj.pk}/hook"

    @staticmethod
    def resolve_hook_token(obj) -> str | None:
        return obj.secret if (obj.trigger or {}).get("on") == "webhook" else None


class StepRunOut(Schema):
    index: int
    path: str
    type: str
    status: str
    input: dict[str, Any]
    output: dict[str, Any]
    error: str
    attempts: int
    next_attempt_at: dt.datetime | None
    started_at: dt.datetime
    finished_at: dt.datetime | None


class RunOut(Schema):
    id: int
    workflow_id: int
    entity: str
    record_id: int | None
    event_key: str
    trigger: dict[str, Any]
    depth: int
    status: str
    error: str
    wake_at: dt.datetime | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    steps: list[StepRunOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.step_runs.all())


class TestIn(StrictSchema):
    record_id: int = Field(..., ge=1, le=2**63 - 1)


class TestStepOut(Schema):
    index: int
    path: str
    type: str | None
    status: str
    input: dict[str, Any]
    output: dict[str, Any]
    error: str


class TestOut(Schema):
    record_id: int
    condition: bool = Field(description="Whether the record meets the workflow's condition.")
    status: str
    error: str
    steps: list[TestStepOut]


class HookIn(StrictSchema):
    record_id: int | None = Field(None, ge=1, le=2**63 - 1)
    event_id: str | None = Field(None, max_length=150, description="The same event_id runs "
                                 "the workflow once.")
    data: dict[str, Any] | None = Field(None, description="Available to steps as `payload`.")


class HookOut(Schema):
    run_id: int | None
    status: str
    duplicate: bool


class TemplatePatch(StrictSchema):
    name: str | None = Field(None, max_length=120)
    subject_en: str | None = Field(None, max_length=300)
    subject_es: str | None = Field(None, max_length=300)
    body_en: str | None = Field(None, max_length=100_000)
    body_es: str | None = Field(None, max_length=100_000)


class TemplateIn(TemplatePatch):
    name: str = Field(..., max_length=120)
    subject_en: str = Field(..., max_length=300)
    body_en: str = Field(..., max_length=100_000)


class TemplateOut(Schema):
    id: int
    name: str
    subject_en: str
    subject_es: str
    body_en: str
    body_es: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
