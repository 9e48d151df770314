import re

import pytest
from django.test import Client

from tests.conftest import api_for, make_user
from tests.sales.smtp import SMTPServer

LINK = re.compile(r"https?://\S+/portal/login/([\w-]+)/")


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
def agent_api(agent):
    return api_for(agent)


@pytest.fixture
def acme(admin_api):
    return admin_api.post("accounts", {"name": "Acme"}).json()


@pytest.fixture
def carmen(admin_api, acme):
    r = admin_api.post("contacts", {"first_name": "Carmen", "last_name": "Ruiz",
                                    "email": "carmen@acme.test", "account_id": acme["id"]})
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def diego(admin_api, acme):
    """A colleague of Carmen's at the same account."""
    return admin_api.post("contacts", {"first_name": "Diego", "email": "diego@acme.test",
                                       "account_id": acme["id"]}).json()


@pytest.fixture
def stranger(admin_api):
    return admin_api.post("contacts", {"first_name": "Sara", "email": "sara@other.test"}).json()


def portal_client(contact_id: int, **kw) -> Client:
    """A browser signed in to the portal as this contact (the session key the portal sets)."""
    from vinculo.service.portal.selectors import SESSION_KEY

    client = Client(**kw)
    session = client.session
    session[SESSION_KEY] = contact_id
    session.save()
    return client


@pytest.fixture
def as_carmen(carmen):
    return portal_client(carmen["id"])
