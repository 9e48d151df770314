"""Replies go through the channel's adapter to a provider over real HTTP; delivery callbacks
update them."""

import json

import pytest

from tests.inbox.conftest import SECRET, TOKEN, sms_params
from vinculo.activities.models import Activity
from vinculo.channels.inbox.adapters import json_signature
from vinculo.channels.inbox.models import Conversation, Message

pytestmark = pytest.mark.django_db


def _thread(hooks, sms, number="+34612345678"):
    assert hooks.twilio(sms, "sms", sms_params(number, "Hola")).status_code == 200
    return Conversation.objects.get(address=number)


def test_reply_by_sms_reaches_the_provider_and_the_status_callback_updates_it(
        hooks, sms, customer, agent_api, provider):
    conversation = _thread(hooks, sms)
    r = agent_api.post(f"conversations/{conversation.pk}/messages", {"body": "¡Sí, hay stock!"})
    assert r.status_code == 201, r.content
    sent = r.json()
    assert sent["delivery_status"] == "sent" and sent["external_id"].startswith("SM")
    request = provider.requests[-1]
    assert request["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert request["form"] == {"To": "+34612345678", "From": "+34911000000",
                               "Body": "¡Sí, hay stock!"}
    assert provider.basic_auth(request) == ("AC123", TOKEN)
    # The reply is on the contact's timeline and the thread waits on the customer.
    assert Activity.objects.filter(contact=customer, kind="sms", direction="outbound").exists()
    assert Conversation.objects.get(pk=conversation.pk).status == "waiting"
    callback = {"MessageSid": sent["external_id"], "MessageStatus": "delivered",
                "AccountSid": "AC123"}
    assert hooks.twilio(sms, "status", callback).status_code == 204
    assert Message.objects.get(pk=sent["id"]).delivery_status == "delivered"
    # A late "sent" does not go back; a forged callback is refused.
    hooks.twilio(sms, "status", {**callback, "MessageStatus": "sent"})
    assert Message.objects.get(pk=sent["id"]).delivery_status == "delivered"
    forged = hooks.twilio(sms, "status", {**callback, "MessageStatus": "failed"}, token="x")
    assert forged.status_code == 403
    assert hooks.twilio(sms, "status", callback).status_code == 409  # replayed
    # The customer answers: the thread is open again.
    hooks.twilio(sms, "sms", sms_params("+34612345678", "Genial"))
    assert Conversation.objects.get(pk=conversation.pk).status == "open"


def test_undelivered_and_provider_errors(hooks, sms, customer, agent_api, provider):
    conversation = _thread(hooks, sms)
    sent = agent_api.post(f"conversations/{conversation.pk}/messages", {"body": "uno"}).json()
    hooks.twilio(sms, "status", {"MessageSid": sent["external_id"],
                                 "MessageStatus": "undelivered", "ErrorCode": "30005"})
    message = Message.objects.get(pk=sent["id"])
    assert message.delivery_status == "undelivered" and message.error == "30005"
    provider.fail_with = 401
    r = agent_api.post(f"conversations/{conversation.pk}/messages", {"body": "dos"})
    assert r.status_code == 502
    assert Message.objects.get(body="dos").delivery_status == "failed"
    bad = agent_api.post(f"conversations/{conversation.pk}/messages", {"body": "x" * 1601})
    assert bad.status_code == 422
    assert agent_api.post(f"conversations/{conversation.pk}/messages", {}).status_code == 422


def test_reply_on_a_json_channel_is_signed_for_the_provider(hooks, social, agent_api, provider):
    hooks.json(social, {"id": "m1", "type": "message", "network": "facebook", "handle": "pepe",
                        "text": "Hi", "thread_id": "fb-1"})
    conversation = Conversation.objects.get()
    r = agent_api.post(f"conversations/{conversation.pk}/messages", {"body": "Hello Pepe"})
    assert r.status_code == 201, r.content
    assert r.json()["external_id"] == f"ext-{provider.counter}"
    request = provider.requests[-1]
    assert request["json"]["to"] == "pepe" and request["json"]["thread_id"] == "fb-1"
    stamp = int(request["headers"]["X-Vinculo-Signature"].split(",")[0][2:])
    assert request["headers"]["X-Vinculo-Signature"] == json_signature(SECRET, request["body"],
                                                                      stamp)
    status = {"id": "s1", "type": "status", "message_id": r.json()["external_id"],
              "status": "read"}
    assert hooks.json(social, status).status_code == 200
    assert Message.objects.get(pk=r.json()["id"]).delivery_status == "read"
    assert json.loads(hooks.json(social, {"id": "s2", "type": "status", "message_id": "x",
                                          "status": "exploded"}).content)["detail"]


def test_a_retried_reply_with_an_idempotency_key_is_sent_once(hooks, sms, agent_api, provider):
    conversation = _thread(hooks, sms)
    headers = {"Idempotency-Key": "reply-1"}
    first = agent_api.post(f"conversations/{conversation.pk}/messages", {"body": "Una vez"},
                           headers=headers)
    again = agent_api.post(f"conversations/{conversation.pk}/messages", {"body": "Una vez"},
                           headers=headers)
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert sum(1 for r in provider.requests if r.get("form", {}).get("Body") == "Una vez") == 1


def test_reply_on_an_email_thread_goes_through_the_mail_server(customer, rep, rep_api, mailoutbox):
    from vinculo.channels.inbox.models import ChannelAccount

    ChannelAccount.objects.create(name="Support mail", channel="email", provider="email",
                                  address="support@example.com")
    started = rep_api.post("conversations", {"contact_id": customer.pk, "channel": "email"})
    assert started.status_code == 201, started.content
    r = rep_api.post(f"conversations/{started.json()['id']}/messages", {"body": "Hola Lucía"})
    assert r.status_code == 201, r.content
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == ["lucia@example.com"] and sent.body == "Hola Lucía"
    assert sent.subject.startswith("Re: ")
    assert r.json()["external_id"] == sent.extra_headers["Message-ID"]
    assert Activity.objects.filter(contact=customer, kind="email", direction="outbound").exists()
