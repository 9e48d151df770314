"""Fixtures of e-mail to case: a real Dovecot IMAP server and a real SMTP server."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from tests.conftest import api_for, make_user
from tests.sales.smtp import SMTPServer

from . import dovecot as dovecot_server


@pytest.fixture(scope="session")
def dovecot():
    if not dovecot_server.available():
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd): no IMAP server "
                    "to test against")
    with dovecot_server.Dovecot() as server:
        yield server


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEFAULT_FROM_EMAIL = "support@vinculo.test"
    return settings.MEDIA_ROOT


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = {"default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5}}}
        yield server


@pytest.fixture
def agent(db):
    return make_user("ana", "service")


@pytest.fixture
def agent2(db):
    return make_user("bea", "service")


@pytest.fixture
def agent_api(agent):
    return api_for(agent)


@pytest.fixture
def agent2_api(agent2):
    return api_for(agent2)


@pytest.fixture
def queue(admin_api, agent):
    r = admin_api.post("queues", {"name": "Support", "member_ids": [agent.pk],
                                  "assignment": "round_robin"})
    assert r.status_code == 201, r.content
    return r.json()


class Box:
    """A mailbox on the test IMAP server and its row in Vínculo."""

    def __init__(self, server, user: str, password: str, data: dict):
        self.server, self.user, self.password, self.data = server, user, password, data
        self.id = data["id"]

    def deliver(self, *messages: bytes | EmailMessage) -> None:
        raws = [m if isinstance(m, bytes) else bytes(m) for m in messages]
        self.server.append(self.user, self.password, *raws)

    @property
    def row(self):
        from vinculo.service.mail.models import Mailbox

        return Mailbox.objects.get(pk=self.id)


@pytest.fixture
def mailbox(admin_api, dovecot, queue, smtp):
    user, password = dovecot.add_user()
    r = admin_api.post("mailboxes", {
        "name": "Support inbox", "address": "help@vinculo.test", "host": "127.0.0.1",
        "port": dovecot.port, "security": "none", "username": user, "password": password,
        "queue_id": queue["id"], "auto_acknowledge": True})
    assert r.status_code == 201, r.content
    return Box(dovecot, user, password, r.json())


def mail(subject: str = "My order has not arrived", body: str = "Hello, where is my order?",
         sender: str = "Lucia Perez <lucia@example.net>", **headers) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "help@vinculo.test"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = headers.pop("message_id", None) or make_msgid(domain="example.net")
    msg.set_content(body)
    for name, value in headers.items():  # after set_content, which drops Content-* headers
        msg[name.replace("_", "-")] = value
    return msg
