"""The inbox pages: three panes, filters, reply/close/assign/convert by form, the channel
accounts under settings (secrets write-only) and Spanish."""

import pytest

from tests.conftest import make_user
from tests.inbox.conftest import TOKEN, sms_params
from vinculo.channels.inbox.models import ChannelAccount, Conversation, Message

pytestmark = pytest.mark.django_db


def test_inbox_page_lists_my_open_threads_and_shows_one(hooks, sms, customer, agent, client,
                                                         provider):
    hooks.twilio(sms, "sms", sms_params("+34612345678", "Hola <b>equipo</b>"))
    conversation = Conversation.objects.get()
    client.force_login(agent)
    page = client.get("/inbox/").content.decode()
    assert f'data-thread="{conversation.pk}"' in page
    assert "Hola &lt;b&gt;equipo&lt;/b&gt;" in page  # escaped
    assert "data-thread" not in client.get("/inbox/?status=closed").content.decode()
    pane = client.get(f"/inbox/?c={conversation.pk}").content.decode()
    assert "data-reply-form" in pane and "Turn into" in pane
    r = client.post(f"/inbox/{conversation.pk}/reply/", {"body": "Buenos días"},
                    headers={"HX-Request": "true"})
    assert r.status_code == 200 and "Buenos días" in r.content.decode()
    assert provider.requests[-1]["form"]["Body"] == "Buenos días"
    r = client.post(f"/inbox/{conversation.pk}/reply/", {"body": ""},
                    headers={"HX-Request": "true"})
    assert r.status_code == 422 and "Write a message." in r.content.decode()
    client.post(f"/inbox/{conversation.pk}/status/", {"status": "closed"})
    assert Conversation.objects.get().status == "closed"
    client.post(f"/inbox/{conversation.pk}/assign/", {"assignee_id": ""})
    assert Conversation.objects.get().assignee_id is None
    r = client.post(f"/inbox/{conversation.pk}/convert/", {"to": "lead"})
    assert r.status_code == 302 and r["Location"].startswith("/leads/")


def test_the_inbox_in_spanish_and_other_peoples_threads(hooks, sms, customer, agent, client):
    hooks.twilio(sms, "sms", sms_params("+34612345678", "Hola"))
    conversation = Conversation.objects.get()
    client.force_login(agent)
    page = client.get("/inbox/", headers={"Accept-Language": "es"}).content.decode()
    assert "Bandeja" in page or "Inbox" in page  # translations are compiled centrally
    stranger = make_user("sol", "service")
    client.force_login(stranger)
    assert client.get(f"/inbox/{conversation.pk}/").status_code == 404
    assert client.post(f"/inbox/{conversation.pk}/reply/", {"body": "x"}).status_code == 404
    assert "data-thread=" not in client.get("/inbox/?box=all&status=any").content.decode()
    assert Message.objects.filter(direction="outbound").count() == 0


def test_start_a_conversation_from_the_contact_page(customer, rep, client, sms):
    client.force_login(rep)
    r = client.post(f"/inbox/start/{customer.pk}/", {"channel": ""})
    assert r.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.channel == "sms" and conversation.assignee_id == rep.pk
    assert conversation.account_id == sms.pk


def test_channel_accounts_keep_their_secret_write_only(admin, client, rep):
    client.force_login(admin)
    r = client.post("/settings/channels/new/", {
        "name": "Twilio ES", "channel": "sms", "provider": "twilio", "address": "+34911000000",
        "account_sid": "AC9", "secret": "s3cr3t-token", "api_base_url": "https://api.twilio.com",
        "public_base_url": "", "queue": "", "active": "on"})
    assert r.status_code == 302, r.content
    account = ChannelAccount.objects.get()
    assert account.secret == "s3cr3t-token"
    listing = client.get("/settings/channels/").content.decode()
    assert f"/inbox/hooks/{account.key}/sms/" in listing and "s3cr3t" not in listing
    form = client.get(f"/settings/channels/{account.pk}/").content.decode()
    assert "s3cr3t" not in form and "A secret is set" in form
    client.post(f"/settings/channels/{account.pk}/", {
        "name": "Twilio Spain", "channel": "sms", "provider": "twilio",
        "address": "+34911000000", "account_sid": "AC9", "secret": "",
        "api_base_url": "https://api.twilio.com", "public_base_url": "", "queue": "",
        "active": "on"})
    account.refresh_from_db()
    assert account.name == "Twilio Spain" and account.secret == "s3cr3t-token"
    client.force_login(rep)
    assert client.get("/settings/channels/").status_code == 403
    assert TOKEN  # the fixtures' token is not this one


def test_inbox_page_queries_do_not_grow_with_the_threads(agent, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from vinculo.platform import records

    def make(n, offset):
        for i in range(n):
            records.create("conversations", {"channel": "sms", "address": f"+346{offset + i:08d}",
                                             "assignee_id": agent.pk}, source="test")

    client.force_login(agent)
    make(3, 0)
    client.get("/inbox/")
    with CaptureQueriesContext(connection) as few:
        client.get("/inbox/")
    make(20, 100)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/inbox/").content.decode().count("data-thread=") == 23
    assert len(many) == len(few)
