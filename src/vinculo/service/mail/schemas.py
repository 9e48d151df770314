"""API shapes of e-mail to case. The mailbox password is write-only: no output has it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import AfterValidator

from vinculo.platform.crud import StrictSchema

SecurityIn = Literal["ssl", "starttls", "none"]


def _email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("Enter a valid e-mail address.") from None
    return value.lower()


def _optional_email(value: str) -> str:
    return _email(value) if value.strip() else ""


EmailStr = Annotated[str, Field(max_length=254), AfterValidator(_email)]
OptionalEmail = Annotated[str, Field(max_length=254), AfterValidator(_optional_email)]


class MailboxIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=120)
    address: OptionalEmail = ""
    host: str = Field(..., min_length=1, max_length=255)
    port: int = Field(993, ge=1, le=65535)
    security: SecurityIn = "ssl"
    username: str = Field(..., min_length=1, max_length=255)
    password: str = Field("", max_length=255, description="Write-only.")
    folder: str = Field("INBOX", min_length=1, max_length=255)
    queue_id: int | None = Field(None, ge=1, le=2**63 - 1)
    active: bool = True
    auto_acknowledge: bool = True


class MailboxPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    address: OptionalEmail | None = None
    host: str | None = Field(None, min_length=1, max_length=255)
    port: int | None = Field(None, ge=1, le=65535)
    security: SecurityIn | None = None
    username: str | None = Field(None, min_length=1, max_length=255)
    password: str | None = Field(None, max_length=255, description="Write-only; empty keeps it.")
    folder: str | None = Field(None, min_length=1, max_length=255)
    queue_id: int | None = Field(None, ge=1, le=2**63 - 1)
    active: bool | None = None
    auto_acknowledge: bool | None = None


class MailboxOut(Schema):
    id: int
    name: str
    address: str
    host: str
    port: int
    security: str
    username: str
    has_password: bool
    folder: str
    queue_id: int | None
    active: bool
    auto_acknowledge: bool
    uidvalidity: int | None
    last_uid: int
    last_polled_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str
    failures: int
    next_poll_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_has_password(obj) -> bool:
        return bool(obj.password)


class MailboxFetchOut(Schema):
    mailbox_id: int
    busy: bool
    error: str
    created_case_ids: list[int]
    updated_case_ids: list[int]
    ignored: int
    failed: int
    duplicates: int


class MailAttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    kept: bool
    skipped_reason: str
    download_url: str | None

    @staticmethod
    def resolve_kept(obj) -> bool:
        return bool(obj.file)

    @staticmethod
    def resolve_download_url(obj) -> str | None:
        return f"/api/v1/mail-attachments/{obj.pk}/download" if obj.file else None


class CaseMailOut(Schema):
    id: int
    case_id: int | None
    activity_id: int | None
    mailbox_id: int | None
    direction: str
    kind: str
    state: str
    message_id: str | None
    in_reply_to: str
    references: str
    subject: str
    from_address: str
    to: str
    language: str
    error: str
    created_at: dt.datetime
    attachments: list[MailAttachmentOut] = []

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all()) if obj.pk else []


class MailProblemOut(Schema):
    id: int
    state: str
    uid: int | None
    subject: str
    from_address: str
    error: str
    size: int
    created_at: dt.datetime
    raw_url: str | None

    @staticmethod
    def resolve_raw_url(obj) -> str | None:
        return f"/settings/mailboxes/{obj.mailbox_id}/raw/{obj.pk}/" if obj.raw else None


class CaseReplyIn(StrictSchema):
    body: str = Field(..., min_length=1, max_length=100_000)
    to: list[EmailStr] | None = Field(None, max_length=20,
                                      description="Default: the case's contact.")
    cc: list[EmailStr] = Field(default_factory=list, max_length=20)
    subject: str | None = Field(None, max_length=250,
                                description="Default: the case's subject; the [#id] token "
                                            "is added.")


class CaseMailPage(Schema):
    items: list[CaseMailOut]
