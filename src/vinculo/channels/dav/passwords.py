"""App passwords: created (shown once), listed, revoked, and checked on HTTP Basic.

Only app passwords open /dav/, never the login password. Checking a Django password hash
is slow on purpose, so a password checked moments ago is remembered for a minute (by a
SHA-256 of it, in this process); revocation is still read from the database on every request.
Failed attempts are counted per address and per user name and refused for a while when too
many.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.utils import timezone

from .models import AppPassword

ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no look-alikes (l/1, o/0) for typing on a phone
GROUPS, GROUP_SIZE = 5, 4
VERIFIED_FOR = 60.0
LAST_USED_EVERY = 60.0
_verified: dict[tuple[int, str], float] = {}
_lock = threading.Lock()


def max_failures() -> int:
    return int(getattr(settings, "VINCULO_DAV_MAX_FAILURES", 10))


def failure_window() -> int:
    return int(getattr(settings, "VINCULO_DAV_FAILURE_WINDOW", 600))


def generate() -> str:
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_SIZE))
                    for _ in range(GROUPS))


def create(user: Any, label: str = "") -> tuple[AppPassword, str]:
    """A new app password for `user`, and its clear text (shown once, never stored)."""
    raw = generate()
    row = AppPassword.objects.create(user=user, label=(label or "").strip()[:100],
                                     prefix=raw[:GROUP_SIZE], password=make_password(raw))
    return row, raw


def revoke(row: AppPassword) -> None:
    if row.revoked_at is None:
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])


def _fingerprint(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _recently_verified(row_id: int, raw: str) -> bool:
    with _lock:
        until = _verified.get((row_id, _fingerprint(raw)))
        return until is not None and until > time.monotonic()


def _remember(row_id: int, raw: str) -> None:
    with _lock:
        now = time.monotonic()
        if len(_verified) > 10_000:
            for key in [k for k, v in _verified.items() if v <= now]:
                del _verified[key]
        _verified[(row_id, _fingerprint(raw))] = now + VERIFIED_FOR


def check(username: str, raw: str) -> Any | None:
    """The active user whose live app password this is, or None."""
    raw = raw.strip().lower()
    if len(raw) < GROUP_SIZE or len(raw) > 100 or not username or len(username) > 150:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        return None
    rows = AppPassword.objects.filter(user=user, prefix=raw[:GROUP_SIZE], revoked_at__isnull=True)
    for row in rows:
        if _recently_verified(row.pk, raw) or check_password(raw, row.password):
            _remember(row.pk, raw)
            _touch(row)
            return user
    return None


def _touch(row: AppPassword) -> None:
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USED_EVERY:
        AppPassword.objects.filter(pk=row.pk).update(last_used_at=now)


def basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _sep, value = (header or "").partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > 1000:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    return (username, password) if sep else None


def _keys(address: str, username: str) -> list[str]:
    user_key = hashlib.sha256(username.encode()).hexdigest()
    return [f"dav-fail:ip:{address}", f"dav-fail:user:{user_key}"]


def blocked(address: str, username: str) -> bool:
    return any((cache.get(key) or 0) >= max_failures() for key in _keys(address, username))


def record_failure(address: str, username: str) -> None:
    for key in _keys(address, username):
        if cache.add(key, 1, failure_window()):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, failure_window())


def authenticate(request: Any) -> tuple[Any | None, bool]:
    """(user or None, rate_limited) for the request's HTTP Basic credentials."""
    credentials = basic_credentials(request.META.get("HTTP_AUTHORIZATION", ""))
    if credentials is None:
        return None, False
    username, raw = credentials
    address = request.META.get("REMOTE_ADDR", "")
    if blocked(address, username):
        return None, True
    user = check(username, raw)
    if user is None:
        record_failure(address, username)
    return user, False
