import json
import time

import pytest
from django.test import Client

from tests.conftest import api_for, make_user
from tests.inbox.provider import FakeProvider
from vinculo.channels.inbox.adapters import json_signature, twilio_signature

TOKEN = "twilio-auth-token-123"
SECRET = "json-signing-secret"


@pytest.fixture
def provider():
    with FakeProvider(json_secret=SECRET) as running:
        yield running


@pytest.fixture
def agent(db):
    return make_user("ana", "service")


@pytest.fixture
def agent_api(agent):
    return api_for(agent)


@pytest.fixture
def queue(db, agent):
    from vinculo.service.models import Queue

    q = Queue.objects.create(name="Front desk", assignment="round_robin")
    q.members.add(agent)
    return q


def _account(provider_url: str, queue=None, **kw):
    from vinculo.channels.inbox.models import ChannelAccount

    return ChannelAccount.objects.create(**{
        "name": "SMS Spain", "channel": "sms", "provider": "twilio", "address": "+34911000000",
        "account_sid": "AC123", "secret": TOKEN, "api_base_url": provider_url,
        "queue": queue, **kw})


@pytest.fixture
def sms(db, queue, provider):
    return _account(provider.url, queue)


@pytest.fixture
def social(db, queue, provider):
    return _account(provider.url + "/send", queue, name="Social", channel="social",
                    provider="json", secret=SECRET, address="@vinculo")


class Hooks:
    """Posts webhooks the way providers sign them."""

    def __init__(self):
        self.client = Client()

    def twilio(self, account, kind: str, params: dict, token: str | None = None,
               url: str | None = None):
        path = f"/inbox/hooks/{account.key}/{kind}/"
        signature = twilio_signature(token or account.secret, url or f"http://testserver{path}",
                                     params)
        return self.client.post(path, params, headers={"X-Twilio-Signature": signature})

    def json(self, account, payload, secret: str | None = None, stamp: int | None = None,
             raw: bytes | None = None):
        body = raw if raw is not None else json.dumps(payload).encode()
        stamp = int(time.time()) if stamp is None else stamp
        header = json_signature(secret or account.secret, body, stamp)
        return self.client.post(f"/inbox/hooks/{account.key}/events/", body,
                                content_type="application/json",
                                headers={"X-Vinculo-Signature": header})


@pytest.fixture
def hooks():
    return Hooks()


_sid = [0]


def sms_params(sender: str, body: str, sid: str | None = None) -> dict:
    _sid[0] += 1
    return {"From": sender, "To": "+34911000000", "Body": body,
            "MessageSid": sid or f"SMin{_sid[0]:030d}", "AccountSid": "AC123",
            "NumMedia": "0"}


@pytest.fixture
def customer(db, rep):
    from vinculo.platform import records

    return records.create("contacts", {"first_name": "Lucía", "last_name": "Gómez",
                                       "mobile": "+34 612 345 678", "email": "lucia@example.com",
                                       "preferred_channel": "sms"}, actor=rep)
