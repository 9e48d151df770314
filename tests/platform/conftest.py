"""Helpers of the platform tests: records made through the write pipeline, DB-agnostic checks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import api_for, make_user

# Users are made in nearly every test: a slow password hash would dominate the run.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def create(entity: str, actor, **data: Any):
    from vinculo.platform import records

    return records.create(entity, data, actor=actor, source="test")


def filter_param(node: Any) -> str:
    return json.dumps(node)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def locs(response) -> list[list]:
    assert response.status_code == 422, (response.status_code, response.content)
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail, detail
    for item in detail:
        assert isinstance(item["loc"], list) and isinstance(item["msg"], str) and item["msg"]
    return [item["loc"] for item in detail]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                    reason="concurrent writers need PostgreSQL")


@pytest.fixture
def readonly(db):
    return make_user("rolf", "readonly")


@pytest.fixture
def readonly_api(readonly):
    return api_for(readonly)


@pytest.fixture
def manager_api(manager):
    return api_for(manager)


@pytest.fixture
def outsider_api(outsider):
    return api_for(outsider)
