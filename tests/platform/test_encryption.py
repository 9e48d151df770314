"""Credentials for other systems are encrypted at rest: a database dump shows no IMAP password,
provider token or signing secret; keys rotate; a lost key never breaks a page."""

from __future__ import annotations

import io
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from vinculo.automation.webhooks.models import Webhook
from vinculo.platform import encryption
from vinculo.service.mail.models import Mailbox

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def stored(model, field: str, pk: int) -> str:
    """The value as the database holds it, read past the model."""
    table, column = model._meta.db_table, model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def make_mailbox(password: str = PASSWORD) -> Mailbox:
    return Mailbox.objects.create(name="Support", host="imap.example.com",
                                  username="support@example.com", password=password)


def test_a_mailbox_password_is_stored_encrypted_and_read_plain():
    mailbox = make_mailbox()
    raw = stored(Mailbox, "password", mailbox.pk)
    assert raw.startswith(encryption.PREFIX) and PASSWORD not in raw
    assert Mailbox.objects.get(pk=mailbox.pk).password == PASSWORD
    Mailbox.objects.filter(pk=mailbox.pk).update(password="new secret")
    assert "new secret" not in stored(Mailbox, "password", mailbox.pk)
    assert Mailbox.objects.get(pk=mailbox.pk).password == "new secret"


def test_no_password_stays_empty():
    mailbox = make_mailbox("")
    assert stored(Mailbox, "password", mailbox.pk) == ""
    assert Mailbox.objects.get(pk=mailbox.pk).password == ""


def test_webhook_signing_secrets_are_encrypted():
    hook = Webhook.objects.create(url="https://example.com/hook", events=["contacts.created"])
    assert hook.secret.startswith("whsec_")
    assert hook.secret not in stored(Webhook, "secret", hook.pk)
    assert Webhook.objects.get(pk=hook.pk).secret == hook.secret


def test_values_stored_before_encryption_are_read_and_then_encrypted():
    mailbox = make_mailbox()
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{Mailbox._meta.db_table}" SET password = %s WHERE id = %s',
                       ["legacy plain", mailbox.pk])
    assert Mailbox.objects.get(pk=mailbox.pk).password == "legacy plain"
    assert encryption.encrypt_existing(Mailbox, "password") == 1
    assert stored(Mailbox, "password", mailbox.pk).startswith(encryption.PREFIX)
    assert Mailbox.objects.get(pk=mailbox.pk).password == "legacy plain"
    encryption.decrypt_existing(Mailbox, "password")
    assert stored(Mailbox, "password", mailbox.pk) == "legacy plain"


def test_keys_rotate_without_losing_a_secret():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(VINCULO_SECRETS_KEYS=[old]):
        mailbox = make_mailbox()
        before = stored(Mailbox, "password", mailbox.pk)
    with override_settings(VINCULO_SECRETS_KEYS=[new, old]):
        assert Mailbox.objects.get(pk=mailbox.pk).password == PASSWORD
        out = io.StringIO()
        call_command("rotate_secrets", stdout=out)
        assert "service_mail.Mailbox.password: 1" in out.getvalue()
        assert stored(Mailbox, "password", mailbox.pk) != before
    with override_settings(VINCULO_SECRETS_KEYS=[new]):
        assert Mailbox.objects.get(pk=mailbox.pk).password == PASSWORD


def test_a_secret_no_key_opens_reads_as_empty_and_is_logged(caplog):
    with override_settings(VINCULO_SECRETS_KEYS=[Fernet.generate_key().decode()]):
        mailbox = make_mailbox()
    with override_settings(VINCULO_SECRETS_KEYS=[Fernet.generate_key().decode()]), \
            caplog.at_level(logging.ERROR, logger="vinculo.platform.encryption"):
        assert Mailbox.objects.get(pk=mailbox.pk).password == ""
    assert "cannot be decrypted" in caplog.text


def test_a_malformed_key_is_a_configuration_error():
    from django.core.exceptions import ImproperlyConfigured

    with override_settings(VINCULO_SECRETS_KEYS=["not-a-key"]), \
            pytest.raises(ImproperlyConfigured, match="VINCULO_SECRETS_KEYS"):
        make_mailbox()


def test_generate_secrets_key_prints_a_usable_key(capsys):
    call_command("generate_secrets_key")
    key = capsys.readouterr().out.strip()
    Fernet(key.encode())
