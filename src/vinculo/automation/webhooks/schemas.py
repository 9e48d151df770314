"""API schemas of webhooks and their deliveries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema


class WebhookPatch(StrictSchema):
    name: str | None = Field(None, max_length=120)
    url: str | None = Field(None, max_length=2000,
                            description="http(s); private and loopback addresses are refused "
                                        "unless VINCULO_ALLOW_PRIVATE_WEBHOOKS=1.")
    events: list[str] | None = Field(
        None, max_length=500, description="`<resource>.created`, `.updated`, `.deleted`, "
                                          "`.restored`, e.g. `contacts.created`.")
    active: bool | None = Field(None, description="true also resumes a paused webhook.")


class WebhookIn(WebhookPatch):
    url: str = Field(..., max_length=2000)
    events: list[str] = Field(..., max_length=500)


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    active: bool
    paused_at: dt.datetime | None
    paused_reason: str
    consecutive_failures: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="Shown only now: keep it to verify X-Vinculo-Signature.")


class SecretOut(Schema):
    id: int
    secret: str


class AttemptOut(Schema):
    number: int
    at: dt.datetime
    status_code: int | None
    duration_ms: int
    error: str
    response_excerpt: str
    succeeded: bool


class DeliveryOut(Schema):
    id: int
    webhook_id: int
    event: str
    entity: str
    record_id: int | None
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    resent_from_id: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    payload: dict[str, Any]
    attempt_log: list[AttemptOut]

    @staticmethod
    def resolve_payload(obj) -> dict[str, Any]:
        try:
            return json.loads(obj.body)
        except ValueError:
            return {}

    @staticmethod
    def resolve_attempt_log(obj) -> list:
        return list(obj.attempt_log.all())
