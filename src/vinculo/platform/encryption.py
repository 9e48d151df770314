"""Credentials Vínculo keeps to talk to other systems — IMAP passwords, provider auth tokens,
signing secrets — are encrypted at rest (Fernet: AES-128-CBC with an HMAC-SHA256 tag).

The keys come from the environment (`VINCULO_SECRETS_KEYS`: comma-separated Fernet keys; the
first encrypts, every one decrypts, so a key is rotated by putting the new one first and
running `vinculo rotate_secrets`). Without it, a key is derived from `SECRET_KEY`. A database
dump or backup alone therefore never gives these credentials away.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

logger = logging.getLogger(__name__)

PREFIX = "fernet:"  # what sets an encrypted value apart from one stored before encryption


@functools.cache
def _keys(configured: tuple[str, ...], secret_key: str) -> MultiFernet:
    if configured:
        try:
            return MultiFernet([Fernet(key.encode()) for key in configured])
        except ValueError as exc:
            raise ImproperlyConfigured(
                "VINCULO_SECRETS_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes; "
                "make one with `vinculo generate_secrets_key`).") from exc
    derived = hashlib.sha256(b"vinculo-secrets:" + secret_key.encode()).digest()
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def _fernet() -> MultiFernet:
    return _keys(tuple(settings.VINCULO_SECRETS_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def decrypt(stored: str) -> str:
    """The plain value; one written before encryption is returned as it is. A value no key
    opens (the keys changed) reads as empty, so that the credential is asked for again
    instead of every page failing."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        logger.error("A stored secret cannot be decrypted with the configured keys "
                     "(VINCULO_SECRETS_KEYS or SECRET_KEY changed?); enter it again.")
        return ""


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and plain in Python. Not for lookups: the same
    value encrypts differently each time. The empty string stays empty (no secret)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every encrypted field of the installed apps."""
    from django.apps import apps

    return [(model, f.name) for model in apps.get_models()
            for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def encrypt_existing(model: type[models.Model], field: str) -> int:
    """Re-store every value of the field with the first key (migrations, key rotation),
    without touching anything else of the rows."""
    return _store_again(model, field, lambda plain: plain)  # the field encrypts on save


def decrypt_existing(model: type[models.Model], field: str) -> int:
    """Store the values in plain again (undoing the migration that encrypted them)."""
    from django.db.models import Value

    return _store_again(model, field, Value)  # an expression is written as it is


def _store_again(model: type[models.Model], field: str, as_written: Any) -> int:
    manager = model._base_manager
    done = 0
    rows = manager.exclude(**{field: ""}).values_list("pk", field).order_by("pk")
    for pk, plain in rows.iterator(chunk_size=500):
        manager.filter(pk=pk).update(**{field: as_written(plain)})
        done += 1
    return done
