"""Inbound webhooks: signatures (valid, forged, replayed), matching, opt-outs, size limits,
social messages and mentions."""

import json
import time

import pytest

from tests.inbox.conftest import sms_params
from vinculo.activities.models import Activity
from vinculo.channels.inbox.models import Conversation, Message, SmsOptOut, SocialMention

pytestmark = pytest.mark.django_db


def test_inbound_sms_from_a_known_number_threads_on_the_contact(hooks, sms, customer, agent):
    r = hooks.twilio(sms, "sms", sms_params("+34612345678", "Hola, ¿tenéis stock?"))
    assert r.status_code == 200, r.content
    assert r["Content-Type"].startswith("application/xml")
    conversation = Conversation.objects.get()
    assert conversation.contact_id == customer.pk
    assert conversation.channel == "sms" and conversation.status == "open"
    assert conversation.assignee_id == agent.pk  # the queue's round robin
    assert conversation.owner_id == agent.pk
    activity = Activity.objects.get(contact=customer, kind="sms")
    assert activity.direction == "inbound" and activity.body == "Hola, ¿tenéis stock?"
    # A second message lands in the same thread.
    hooks.twilio(sms, "sms", sms_params("+34612345678", "¿Y el precio?"))
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation=conversation).count() == 2
    assert Activity.objects.filter(contact=customer, kind="sms").count() == 2


def test_forged_and_replayed_sms_webhooks_are_refused(hooks, sms, customer):
    params = sms_params("+34612345678", "hello")
    assert hooks.twilio(sms, "sms", params, token="not-the-token").status_code == 403
    # A signature of another URL (the parameters moved elsewhere) does not match either.
    assert hooks.twilio(sms, "sms", params,
                        url="http://evil.example/inbox/hooks/x/sms/").status_code == 403
    tampered = hooks.client.post(f"/inbox/hooks/{sms.key}/sms/", {**params, "Body": "changed"},
                                 headers={"X-Twilio-Signature": "AAAA"})
    assert tampered.status_code == 403
    assert hooks.twilio(sms, "sms", params).status_code == 200
    assert hooks.twilio(sms, "sms", params).status_code == 409  # replayed
    assert Message.objects.count() == 1
    assert hooks.client.post("/inbox/hooks/unknown-key/sms/", params).status_code == 404


def test_unknown_number_gets_a_conversation_without_contact_and_a_suggestion(
        hooks, sms, customer, agent, agent_api):
    from vinculo.platform import records

    # The same number stored without its country prefix: a suggestion, not a match.
    other = records.create("contacts", {"first_name": "Pepe", "phone": "612 999 888",
                                        "country": "FR"})
    r = hooks.twilio(sms, "sms", sms_params("+34612999888", "¿Quién atiende?"))
    assert r.status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.contact_id is None and conversation.address == "+34612999888"
    assert not Activity.objects.filter(kind="sms").exists()
    from tests.conftest import api_for, make_user
    boss_user = make_user("boss", "admin")
    boss = api_for(boss_user)
    boss.client.force_login(boss_user)
    page = boss.client.get(f"/inbox/{conversation.pk}/", headers={"HX-Request": "true"})
    text = page.content.decode()
    assert page.status_code == 200 and "Add contact" in text and "Is it Pepe" in text
    assert "/contacts/new/?mobile=%2B34612999888" in text
    # Linking the contact puts the earlier messages on its timeline.
    r = boss.patch(f"conversations/{conversation.pk}", {"contact_id": other.pk})
    assert r.status_code == 200, r.content
    assert r.json()["contact_id"] == other.pk
    assert Activity.objects.filter(contact=other, kind="sms").count() == 1


def test_stop_opts_out_at_once_and_start_opts_back_in(hooks, sms, customer, agent_api):
    r = hooks.twilio(sms, "sms", sms_params("+34612345678", "  baja "))
    assert r.status_code == 200
    assert "<Message>" in r.content.decode() and "ALTA" in r.content.decode()
    assert SmsOptOut.objects.filter(number="+34612345678").exists()
    conversation = Conversation.objects.get()
    refused = agent_api.post(f"conversations/{conversation.pk}/messages", {"body": "Oferta!"})
    assert refused.status_code == 409
    assert "opted out" in refused.json()["detail"]
    detail = agent_api.get(f"conversations/{conversation.pk}").json()
    assert detail["sms_opted_out"] is True
    # Not a keyword when it is only part of a message.
    hooks.twilio(sms, "sms", sms_params("+34612345678", "Please stop calling me at work"))
    assert SmsOptOut.objects.filter(number="+34612345678").exists()
    hooks.twilio(sms, "sms", sms_params("+34612345678", "START"))
    assert not SmsOptOut.objects.exists()
    hooks.twilio(sms, "sms", sms_params("+34611111111", "Stop"))
    assert SmsOptOut.objects.filter(number="+34611111111", keyword="STOP").exists()


def test_oversized_webhooks_and_messages_are_refused(hooks, sms, customer):
    too_long = hooks.twilio(sms, "sms", sms_params("+34612345678", "x" * 1601))
    assert too_long.status_code == 422
    huge = hooks.twilio(sms, "sms", sms_params("+34612345678", "y" * 70_000))
    assert huge.status_code == 413
    missing = hooks.twilio(sms, "sms", {"MessageSid": "SM1", "Body": "no sender"})
    assert missing.status_code == 422
    assert not Message.objects.exists()


def test_signed_json_webhook_valid_forged_stale_and_replayed(hooks, social, customer):
    event = {"id": "evt_1", "type": "message", "network": "instagram", "handle": "@lucia_g",
             "text": "Do you ship to Canarias?", "thread_id": "ig-thread-9"}
    assert hooks.json(social, event, secret="wrong").status_code == 403
    assert hooks.json(social, event, stamp=int(time.time()) - 3600).status_code == 409
    r = hooks.json(social, event)
    assert r.status_code == 200, r.content
    assert hooks.json(social, event).status_code == 409  # the same event id again
    unsigned = hooks.client.post(f"/inbox/hooks/{social.key}/events/", json.dumps(event),
                                 content_type="application/json")
    assert unsigned.status_code == 403
    bad = hooks.json(social, None, raw=b"{not json")
    assert bad.status_code == 422
    conversation = Conversation.objects.get()
    assert conversation.channel == "social" and conversation.network == "instagram"
    assert conversation.address == "lucia_g" and conversation.contact_id is None


def test_social_message_from_a_known_handle_and_a_mention_with_sentiment(
        hooks, social, customer, admin_api):
    r = admin_api.post(f"contacts/{customer.pk}/handles",
                       {"network": "instagram", "handle": "@Lucia_G"})
    assert r.status_code == 201, r.content
    assert hooks.json(social, {"id": "e1", "type": "message", "network": "instagram",
                               "handle": "@lucia_g", "text": "Hola"}).status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.contact_id == customer.pk
    assert Activity.objects.filter(contact=customer, kind="social", direction="inbound").exists()
    r = hooks.json(social, {"id": "e2", "type": "mention", "network": "instagram",
                            "handle": "lucia_g", "text": "Me encanta la tienda, gracias!",
                            "url": "https://instagram.example/p/1"})
    assert r.status_code == 200
    mention = SocialMention.objects.get()
    assert mention.sentiment == "positive" and mention.contact_id == customer.pk
    assert mention.activity.kind == "social"
    assert Conversation.objects.count() == 1  # mentions are not inbox threads
    hooks.json(social, {"id": "e3", "type": "mention", "network": "x", "handle": "troll",
                        "text": "Worst service ever, terrible"})
    assert SocialMention.objects.get(handle="troll").sentiment == "negative"
    hooks.json(social, {"id": "e4", "type": "mention", "network": "x", "handle": "n",
                        "text": "Opening hours on Sunday?"})
    assert SocialMention.objects.get(handle="n").sentiment == "neutral"


def test_old_webhook_receipts_are_forgotten(hooks, sms, customer):
    import datetime as dt

    from django.utils import timezone

    from vinculo.channels.inbox.models import WebhookReceipt
    from vinculo.channels.inbox.services import prune_receipts

    hooks.twilio(sms, "sms", sms_params("+34612345678", "uno"))
    old = hooks.twilio(sms, "sms", sms_params("+34612345678", "dos"))
    assert old.status_code == 200
    WebhookReceipt.objects.filter(pk=WebhookReceipt.objects.order_by("id").first().pk).update(
        received_at=timezone.now() - dt.timedelta(days=31))
    assert prune_receipts() == 1
    assert WebhookReceipt.objects.count() == 1
