"""A real SMTP server, contacts with and without consent, an agent and a queue."""

from __future__ import annotations

import pytest

from tests.sales.smtp import SMTPServer
from tests.service.conftest import FixedClock, agent, agent_api, clock  # noqa: F401


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = {"default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5}}}
        settings.VINCULO_SITE_URL = "https://crm.example.com"
        settings.VINCULO_EMAIL_RATE_PER_MINUTE = 0
        yield server


@pytest.fixture
def people(db, admin, rep):
    from vinculo.platform import records

    rows = [
        ("Lucía", "lucia@example.com", True, False, "ES"),
        ("Nora", "nora@example.com", True, False, "GB"),
        ("Pedro", "pedro@example.com", False, False, "ES"),   # no opt-in
        ("Marta", "marta@example.com", True, True, "ES"),     # do not contact
        ("Sin", "", True, False, "ES"),                        # no address
    ]
    out = {}
    for first, email, opt_in, dnc, country in rows:
        out[first.lower().replace("í", "i")] = records.create("contacts", {
            "first_name": first, "last_name": "Encuesta", "email": email, "country": country,
            "email_opt_in": opt_in, "do_not_contact": dnc, "owner_id": rep.pk}, actor=admin)
    return out


def token_of(message) -> str:
    import re

    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https://crm\.example\.com/s/([^/\s]+)/", body)
    assert match, body
    return match[1]
