from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from vinculo.platform.crud import StrictSchema


class UserOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    is_active: bool
    role: str | None
    team_ids: list[int]
    language: str

    @staticmethod
    def resolve_role(obj) -> str | None:
        return obj.role.name if obj.role_id else None

    @staticmethod
    def resolve_team_ids(obj) -> list[int]:
        return [t.pk for t in obj.teams.all()]


class TeamIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=120)
    member_ids: list[int] | None = Field(None, max_length=10_000)


class TeamPatch(StrictSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    member_ids: list[int] | None = Field(None, max_length=10_000)


class TeamOut(Schema):
    id: int
    name: str
    member_ids: list[int]

    @staticmethod
    def resolve_member_ids(obj) -> list[int]:
        return [u.pk for u in obj.members.all()]


class RoleOut(Schema):
    id: int
    name: str
    label: str
    is_admin: bool
    builtin: bool
    permissions: dict[str, Any]


class RoleIn(StrictSchema):
    name: str = Field(..., min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")
    label: str = Field(..., min_length=1, max_length=80)
    permissions: dict[str, dict[str, str]] = Field(default_factory=dict)
    is_admin: bool = False


class TokenIn(StrictSchema):
    name: str = Field("", max_length=120)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreated(TokenOut):
    token: str
