"""Helpers of the web tests: signed-in browsers (the Django test client) and records made
through the write pipeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user


def browser_for(user, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client


def create(entity: str, actor, **data: Any):
    from vinculo.platform import records

    return records.create(entity, data, actor=actor, source="test")


def htmx(target: str) -> dict[str, str]:
    """Headers of an htmx request that swaps the element with this id."""
    return {"HX-Request": "true", "HX-Target": target}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made in most tests here; a slow password hash is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_web(admin) -> Client:
    return browser_for(admin)


@pytest.fixture
def rep_web(rep) -> Client:
    return browser_for(rep)


@pytest.fixture
def other_web(other_rep) -> Client:
    return browser_for(other_rep)


@pytest.fixture
def reader(db):
    return make_user("rosa", "readonly")
