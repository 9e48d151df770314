"""Signed tokens for tracking links and unsubscribe pages (no database lookup to verify)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing

SALT = "vinculo.channels.tracking"


class BadToken(Exception):
    """Tampered or malformed."""


class ExpiredToken(BadToken):
    """Well signed but older than its maximum age."""


class _Signer(signing.TimestampSigner):
    def __init__(self, *args: Any, at: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._at = at

    def timestamp(self) -> str:
        if self._at is None:
            return super().timestamp()
        return signing.b62_encode(int(self._at.timestamp()))


def max_age(action: str) -> dt.timedelta:
    days = getattr(settings, "VINCULO_TRACKING_MAX_AGE_DAYS", 365)
    if action == "u":
        days = getattr(settings, "VINCULO_UNSUBSCRIBE_MAX_AGE_DAYS", max(days, 730))
    return dt.timedelta(days=days)


def make(action: str, message_id: int, url: str | None = None, *,
         at: dt.datetime | None = None) -> str:
    """A token for `action` ("o" open, "c" click, "u" unsubscribe) on an outbound message;
    a click token carries the URL it leads to."""
    payload: dict[str, Any] = {"a": action, "m": message_id}
    if url is not None:
        payload["u"] = url
    return _Signer(salt=SALT, at=at).sign_object(payload, compress=True)


def read(token: str, action: str) -> dict[str, Any]:
    """The payload of a valid token for `action`; BadToken / ExpiredToken otherwise."""
    try:
        payload = _Signer(salt=SALT).unsign_object(token, max_age=max_age(action))
    except signing.SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadToken(str(exc)) from exc
    if not isinstance(payload, dict) or payload.get("a") != action \
            or not isinstance(payload.get("m"), int):
        raise BadToken("wrong action")
    if action == "c" and not isinstance(payload.get("u"), str):
        raise BadToken("no url")
    return payload
