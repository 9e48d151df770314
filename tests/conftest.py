"""Shared fixtures: users of every built-in role, API clients authenticated by token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.signals import setting_changed
from django.test import Client

settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
                              "QUEUES": []}}
# Users are made in most tests: a fast hash keeps the suite quick (never in production).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Backends may already exist (task decorators look them up at import): rebuild them.
setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)


class Api:
    """A thin JSON client for /api/v1 with a bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, body: Any = None, headers: dict | None = None,
              raw: bytes | str | None = None, **params):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        all_headers = {**self.headers, **(headers or {})}
        func = getattr(self.client, method)
        if method == "get":
            return func(url, params, headers=all_headers)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return func(url, data=data, content_type="application/json", headers=all_headers)

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, body=None, **kw):
        return self._call("post", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self._call("patch", path, body, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


def make_user(username: str, role: str, teams: list[str] | None = None, **extra):
    from vinculo.identity.services import user_create

    user, _password = user_create(username=username, role=role, password="pw-" + username,
                                  email=f"{username}@example.com", teams=teams, **extra)
    return user


def api_for(user) -> Api:
    from vinculo.identity.services import token_create

    _token, raw = token_create(user, "tests")
    return Api(raw)


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a Spanish page fetched by an earlier test leaves Spanish
    active in the thread (the locale middleware activates, nothing deactivates)."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def admin(db):
    return make_user("alice", "admin")


@pytest.fixture
def rep(db):
    return make_user("rita", "sales", teams=["Iberia"])


@pytest.fixture
def other_rep(db):
    return make_user("oscar", "sales", teams=["Iberia"])


@pytest.fixture
def outsider(db):
    return make_user("xavi", "sales", teams=["LatAm"])


@pytest.fixture
def manager(db, rep, other_rep):
    return make_user("maria", "manager", teams=["Iberia"])


@pytest.fixture
def admin_api(admin) -> Api:
    return api_for(admin)


@pytest.fixture
def rep_api(rep) -> Api:
    return api_for(rep)


@pytest.fixture
def other_api(other_rep) -> Api:
    return api_for(other_rep)


@pytest.fixture
def anon_api(db) -> Api:
    return Api(None)
