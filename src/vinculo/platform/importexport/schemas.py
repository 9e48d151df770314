"""API schemas of import and export jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class Progress(Schema):
    done: int
    total: int | None
    percent: int


class RowError(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    id: int
    entity: str
    format: str
    dedupe: str
    file_name: str
    status: str
    progress: Progress
    created: int
    updated: int
    skipped: int
    error_count: int
    errors: list[RowError]
    errors_truncated: bool
    unknown_columns: list[str]
    notes: list[str]
    message: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class ExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    entity: str = Field(..., max_length=40)
    format: str = Field("csv", max_length=10)
    filter: dict[str, Any] | str | None = Field(
        None, description="A filter in the JSON filter language (an object, or its JSON text).")
    ids: list[int] | None = Field(None, max_length=10_000)


class ExportOut(Schema):
    id: int
    entity: str
    format: str
    filter: dict[str, Any]
    status: str
    progress: Progress
    download_url: str | None
    message: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
