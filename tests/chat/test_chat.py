"""Live chat against a running ASGI server: a visitor starts a chat from a website, the agent
who is available answers from the inbox, and each side's messages arrive over a real
server-sent event stream; the offline form, flood limits, bad input and the widget settings."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.test import Client
from django.utils import timezone

from tests.chat.conftest import ORIGIN, EventStream, post
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def start(base, widget, **body):
    payload = {"name": "Lucía Gómez", "email": "lucia@example.com", "message": "¿Tenéis talla M?",
               "language": "es", **body}
    response = post(base, f"/chat/{widget.key}/sessions", payload)
    assert response.status_code == 201, response.content
    return response.json()


def test_visitor_and_agent_chat_in_real_time(asgi_server, widget, available):
    from vinculo.activities.models import Activity
    from vinculo.channels.inbox import services as inbox
    from vinculo.channels.inbox.models import Conversation
    from vinculo.platform import records

    contact = records.create("contacts", {"first_name": "Lucía", "last_name": "Gómez",
                                          "email": "lucia@example.com"}, actor=available)
    config = requests.get(f"{asgi_server}/chat/{widget.key}/config?language=es", headers=ORIGIN,
                          timeout=5)
    assert config.status_code == 200
    assert config.json()["online"] is True and config.json()["title"] == "Habla con nosotros"
    assert config.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"

    chat = start(asgi_server, widget)
    conversation = Conversation.objects.get(pk=chat["conversation_id"])
    assert conversation.channel == "chat" and conversation.assignee_id == available.pk
    assert conversation.contact_id == contact.pk

    stream = EventStream(f"{asgi_server}/chat/{widget.key}/sessions/{chat['token']}/events")
    try:
        first = stream.next()
        assert first["from"] == "visitor" and first["body"] == "¿Tenéis talla M?"
        inbox.reply(conversation, "¡Sí! Quedan tres.", available)
        answer = stream.next()
        assert answer["from"] == "agent" and answer["body"] == "¡Sí! Quedan tres."
        assert answer["agent"] == available.first_name or available.username
        r = post(asgi_server, f"/chat/{widget.key}/sessions/{chat['token']}/messages",
                 {"message": "Genial, gracias"})
        assert r.status_code == 201
        assert stream.next()["body"] == "Genial, gracias"
    finally:
        stream.close()
    # a reconnecting browser gets only what it has not seen (Last-Event-ID)
    again = EventStream(f"{asgi_server}/chat/{widget.key}/sessions/{chat['token']}/events",
                        **{"Last-Event-ID": str(answer["id"])})
    try:
        assert again.next()["body"] == "Genial, gracias"
    finally:
        again.close()
    kinds = set(Activity.objects.filter(contact=contact).values_list("kind", flat=True))
    assert kinds == {"chat"}
    assert Activity.objects.filter(contact=contact).count() == 3


def test_open_streams_share_one_database_connection(asgi_server, widget, available):
    """A web process serving many visitors' streams holds one database connection for all of
    them (PostgreSQL refuses clients past its limit: a hundred by default)."""
    from django.db.backends.signals import connection_created

    chats = [start(asgi_server, widget, message=f"hola {n}") for n in range(3)]
    opened: list[str] = []

    def count(sender, connection, **kwargs) -> None:
        opened.append(connection.alias)

    connection_created.connect(count)
    streams = [EventStream(f"{asgi_server}/chat/{widget.key}/sessions/{chat['token']}/events")
               for chat in chats for _copy in range(4)]
    try:
        for stream in streams:
            assert stream.next()["from"] == "visitor"
    finally:
        connection_created.disconnect(count)
        for stream in streams:
            stream.close()
    assert len(opened) <= 1, f"{len(opened)} connections for {len(streams)} streams"


def test_the_visitor_ends_the_chat(asgi_server, widget, available):
    from vinculo.channels.inbox.models import Conversation

    chat = start(asgi_server, widget)
    r = post(asgi_server, f"/chat/{widget.key}/sessions/{chat['token']}/close", {})
    assert r.status_code == 200
    assert Conversation.objects.get(pk=chat["conversation_id"]).status == "closed"
    r = post(asgi_server, f"/chat/{widget.key}/sessions/{chat['token']}/messages",
             {"message": "¿Hola?"})
    assert r.status_code == 410


def test_nobody_available_offers_the_offline_form(asgi_server, widget, agent):
    from vinculo.channels.chat.models import Availability
    from vinculo.channels.chat.services import set_availability
    from vinculo.sales.leads.models import Lead
    from vinculo.service.models import Case

    set_availability(agent, "available")
    Availability.objects.filter(user=agent).update(seen_at=timezone.now() - dt.timedelta(hours=1))
    config = requests.get(f"{asgi_server}/chat/{widget.key}/config", headers=ORIGIN, timeout=5)
    assert config.json()["online"] is False  # available, but their pages went quiet

    r = post(asgi_server, f"/chat/{widget.key}/offline",
             {"name": "Pedro Ruiz", "email": "pedro@example.com", "message": "Call me back"})
    assert r.status_code == 201 and r.json()["created"] == "lead"
    lead = Lead.objects.get(pk=r.json()["id"])
    assert (lead.first_name, lead.last_name, lead.source) == ("Pedro", "Ruiz", "chat")
    assert "Call me back" in lead.description

    widget.offline_action = "case"
    widget.save()
    r = post(asgi_server, f"/chat/{widget.key}/offline",
             {"name": "Pedro", "email": "pedro@example.com", "message": "Broken zip"})
    assert r.status_code == 201 and r.json()["created"] == "case"
    case = Case.objects.get(pk=r.json()["id"])
    assert case.channel == "chat" and case.subject == "Broken zip"

    r = post(asgi_server, f"/chat/{widget.key}/offline", {"name": "X", "message": "no email"})
    assert r.status_code == 422 and "email" in r.json()["errors"]


def test_floods_and_bad_input_get_clear_answers(asgi_server, widget, available):
    chat = start(asgi_server, widget)
    path = f"/chat/{widget.key}/sessions/{chat['token']}/messages"
    statuses = [post(asgi_server, path, {"message": f"spam {i}"}).status_code
                for i in range(10)]
    assert statuses[:7] == [201] * 7 and statuses[-1] == 429
    limited = post(asgi_server, path, {"message": "more"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0

    assert post(asgi_server, path, b"{not json").status_code == 400
    assert post(asgi_server, path, "x" * 20_000).status_code == 413
    r = post(asgi_server, path, {"message": "x" * 2001})
    assert r.status_code == 422 and "message" in r.json()["errors"]
    assert post(asgi_server, path, {"message": ["a list"]}).status_code == 422
    r = post(asgi_server, f"/chat/{widget.key}/sessions/not-a-token/messages", {"message": "hi"})
    assert r.status_code == 404
    r = post(asgi_server, f"/chat/{widget.key}/sessions", {"message": "hi", "email": "nope"})
    assert r.status_code == 422 and "email" in r.json()["errors"]
    assert post(asgi_server, "/chat/no-such-widget/sessions", {"message": "hi"}).status_code == 404
    r = post(asgi_server, f"/chat/{widget.key}/sessions", {"message": "hi"},
             Origin="https://evil.example.net")
    assert r.status_code == 403 and "Access-Control-Allow-Origin" not in r.headers
    r = requests.get(f"{asgi_server}/chat/{widget.key}/sessions/not-a-token/events",
                     headers=ORIGIN, timeout=5)
    assert r.status_code == 404
    preflight = requests.options(f"{asgi_server}/chat/{widget.key}/sessions", timeout=5,
                                 headers={**ORIGIN, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"


def test_one_address_cannot_open_chats_without_end(asgi_server, widget, available):
    codes = [post(asgi_server, f"/chat/{widget.key}/sessions",
                  {"message": f"hello {i}"}).status_code for i in range(6)]
    assert codes == [201] * 5 + [429]


def test_chats_go_to_the_least_busy_available_agent_of_the_queue(asgi_server, widget, agent):
    from vinculo.channels.chat.services import set_availability
    from vinculo.channels.inbox.models import Conversation
    from vinculo.service.models import Queue

    other = make_user("bea", "service")
    outsider = make_user("carl", "service")
    queue = Queue.objects.create(name="Web")
    queue.members.add(agent, other)
    widget.queue = queue
    widget.save()
    for user in (agent, other, outsider):
        set_availability(user, "available")
    owners = []
    for i in range(4):
        chat = start(asgi_server, widget, email=f"v{i}@example.com", message=f"hi {i}")
        owners.append(Conversation.objects.get(pk=chat["conversation_id"]).assignee_id)
    assert sorted(owners) == sorted([agent.pk, agent.pk, other.pk, other.pk])


def test_widget_settings_and_availability_pages(widget, agent, admin):
    from vinculo.channels.chat.models import Availability, Widget

    web = Client()
    web.force_login(admin)
    r = web.post("/settings/chat/new/", {
        "name": "Shop", "offline_action": "case", "allowed_origins": "https://a.example.com/",
        "title_en": "Chat", "title_es": "Chat", "greeting_en": "Hi", "greeting_es": "Hola",
        "color": "#112233", "active": "on"})
    assert r.status_code == 302
    made = Widget.objects.get(name="Shop")
    assert made.allowed_origins == "https://a.example.com" and made.account_id is not None
    page = web.get(f"/settings/chat/{made.pk}/")
    assert f"data-vinculo-chat=&quot;{made.key}&quot;" in page.content.decode()  # as text
    r = web.post("/settings/chat/new/", {"name": "Bad", "offline_action": "lead",
                                         "allowed_origins": "javascript:alert(1)",
                                         "title_en": "a", "title_es": "a", "greeting_en": "a",
                                         "greeting_es": "a", "color": "#112233"})
    assert r.status_code == 200 and "Not a website origin" in r.content.decode()

    rep_web = Client()
    rep_web.force_login(make_user("rita", "sales"))
    assert rep_web.get("/settings/chat/").status_code == 403

    agent_web = Client()
    agent_web.force_login(agent)
    r = agent_web.post("/chat/availability/set/", {"status": "available"})
    assert r.status_code == 200 and 'data-chat-availability="available"' in r.content.decode()
    assert Availability.objects.get(user=agent).status == "available"
    assert agent_web.post("/chat/availability/set/", {"status": "asleep"}).status_code == 422
    assert Client().get("/chat/availability/").status_code == 302  # signed in only


def test_the_widget_script_is_served(client):
    r = client.get("/chat/widget.js")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/javascript")
    assert b"dataset.vinculoChat" in r.content and r["Access-Control-Allow-Origin"] == "*"


def test_the_agent_sees_a_chat_live_in_the_inbox(widget, available):
    from vinculo.channels.chat import services

    session = services.start(widget, name="Ana", email="", message="first question")
    web = Client()
    web.force_login(available)
    page = web.get("/inbox/").content.decode()
    assert 'hx-get="/chat/availability/"' in page
    thread = f"/inbox/{session.conversation_id}/messages/"
    services.post(session, "second <question>")
    html = web.get(thread).content.decode()
    assert "second &lt;question&gt;" in html and 'hx-trigger="every 3s"' in html
    services.end(session)
    assert 'hx-trigger="every 3s"' not in web.get(thread).content.decode()  # closed: no polling
    outsider = Client()
    outsider.force_login(make_user("zoe", "sales"))
    assert outsider.get(thread).status_code == 404
