"""Real clients against a running server: the `caldav` library for CalDAV, and WebDAV XML over
HTTP (caldav's low-level DAVClient) for CardDAV — changes on both sides, conflicts, sync."""

from __future__ import annotations

import datetime as dt
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import caldav  # noqa: E402
from caldav.lib import error as caldav_error  # noqa: E402

from tests.conftest import make_user  # noqa: E402
from vinculo.platform import records  # noqa: E402

from .conftest import app_password  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:phone-event-1
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/Madrid:20270329T093000
DTEND;TZID=Europe/Madrid:20270329T103000
SUMMARY:Coffee with Carla
END:VEVENT
END:VCALENDAR
"""
TODO = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VTODO
UID:phone-todo-1
DTSTAMP:20261101T000000Z
DUE:20270401T150000Z
SUMMARY:Send the quote
STATUS:NEEDS-ACTION
END:VTODO
END:VCALENDAR
"""


OPEN: list[caldav.DAVClient] = []


def client_for(base: str, username: str, password: str, path: str = "/.well-known/caldav"
               ) -> caldav.DAVClient:
    # No kept-alive connections: the live server's request threads must end within the test.
    client = caldav.DAVClient(url=f"{base}{path}", username=username, password=password,
                              enable_rfc6764=False, require_tls=False,
                              headers={"Connection": "close"})
    OPEN.append(client)
    return client


@pytest.fixture(autouse=True)
def close_clients():
    """Close the clients' kept-alive connections before the live server stops."""
    yield
    while OPEN:
        OPEN.pop().close()


def test_caldav_library_discovers_and_syncs_both_ways(live_server):
    from vinculo.activities.models import Activity

    rita = make_user("rita", "sales")
    client = client_for(live_server.url, "rita", app_password(rita))
    principal = client.principal()
    calendars = principal.calendars()
    assert len(calendars) == 1
    calendar = calendars[0]
    assert {"VEVENT", "VTODO"} <= set(calendar.get_supported_components())

    # Phone → CRM
    event = calendar.save_event(EVENT)
    todo = calendar.save_todo(TODO)
    meeting = Activity.objects.get(kind="meeting")
    assert meeting.occurred_at == dt.datetime(2027, 3, 29, 7, 30, tzinfo=dt.UTC)
    assert meeting.duration_minutes == 60 and meeting.subject == "Coffee with Carla"
    task = Activity.objects.get(kind="task")
    assert task.subject == "Send the quote" and not task.done

    # CRM → phone
    records.create("activities", {"kind": "meeting", "subject": "Quarterly review",
                                  "occurred_at": "2027-04-02T08:00:00Z",
                                  "duration_minutes": 30}, actor=rita)
    summaries = sorted(e.vobject_instance.vevent.summary.value for e in calendar.events())
    assert summaries == ["Coffee with Carla", "Quarterly review"]
    assert [t.vobject_instance.vtodo.summary.value for t in calendar.todos()] == [
        "Send the quote"]
    found = calendar.search(start=dt.datetime(2027, 3, 29, tzinfo=dt.UTC),
                            end=dt.datetime(2027, 3, 30, tzinfo=dt.UTC), event=True)
    assert [e.vobject_instance.vevent.summary.value for e in found] == ["Coffee with Carla"]

    # Change on the phone, then a change in the CRM makes the phone's copy stale → 412.
    event.load()
    event.vobject_instance.vevent.summary.value = "Coffee with Carla and Luis"
    event.save()
    meeting.refresh_from_db()
    assert meeting.subject == "Coffee with Carla and Luis"
    records.update(meeting, {"subject": "Changed in the CRM"}, actor=rita)
    stale = event.client.put(str(event.url), event.data.replace("and Luis", "again"),
                             {"Content-Type": "text/calendar",
                              "If-Match": f'"{meeting.version - 1}"'})
    assert stale.status == 412
    meeting.refresh_from_db()
    assert meeting.subject == "Changed in the CRM"

    # Complete the task on the phone, delete the event on the phone.
    todo.load()
    todo.complete()
    task.refresh_from_db()
    assert task.done
    event.delete()
    assert not Activity.objects.filter(pk=meeting.pk).exists()

    # Delete in the CRM: the phone no longer sees it.
    records.delete(task, actor=rita)
    assert calendar.todos(include_completed=True) == []


def test_caldav_refuses_revoked_and_login_passwords(live_server):
    from vinculo.channels.dav import passwords

    rita = make_user("rita", "sales")
    raw = app_password(rita)
    with pytest.raises(caldav_error.AuthorizationError):
        client_for(live_server.url, "rita", "pw-rita").principal()
    passwords.revoke(rita.app_passwords.get())
    with pytest.raises(caldav_error.AuthorizationError):
        client_for(live_server.url, "rita", raw).principal()


CARD = """BEGIN:VCARD\r
VERSION:3.0\r
UID:phone-card-1\r
FN:Luis Pardo\r
N:Pardo;Luis;;;\r
EMAIL:luis@example.com\r
TEL;TYPE=CELL:+34 611 222 333\r
END:VCARD\r
"""
SYNC = ('<?xml version="1.0"?><d:sync-collection xmlns:d="DAV:" '
        'xmlns:card="urn:ietf:params:xml:ns:carddav"><d:sync-token>{token}</d:sync-token>'
        "<d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>")


def test_carddav_over_http_with_sync_and_conflicts(live_server):
    from vinculo.customers.models import Contact

    rita = make_user("rita", "sales")
    oscar = make_user("oscar", "sales")
    theirs = records.create("contacts", {"first_name": "Hidden", "email": "h@example.com"},
                            actor=oscar)
    mine = records.create("contacts", {"first_name": "Carla", "email": "c@example.com"},
                          actor=rita)
    client = client_for(live_server.url, "rita", app_password(rita), "/dav/")
    book = f"{live_server.url}/dav/addressbooks/rita/contacts/"
    listing = client.propfind(book, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop>'
                                    "<d:getetag/></d:prop></d:propfind>", depth=1)
    assert listing.status == 207
    text = listing.raw
    assert f"c-{mine.pk}.vcf" in text and f"c-{theirs.pk}.vcf" not in text
    first = client.report(book, SYNC.format(token=""), depth=1)
    token = first.tree.find("{DAV:}sync-token").text

    # Phone creates a card; the CRM sees it.
    created = client.put(book + "phone-card-1.vcf", CARD,
                         {"Content-Type": "text/vcard", "If-None-Match": "*"})
    assert created.status == 201
    luis = Contact.objects.get(email="luis@example.com")
    assert luis.mobile == "+34 611 222 333" and luis.owner_id == rita.pk

    # CRM changes and deletes; the sync shows both.
    records.update(mine, {"title": "CTO"}, actor=rita)
    records.delete(luis, actor=rita)
    changes = client.report(book, SYNC.format(token=token), depth=1).raw
    assert f"c-{mine.pk}.vcf" in changes and "phone-card-1.vcf" in changes
    assert "404 Not Found" in changes

    # Another rep's contact: not readable, not deletable.
    hidden = book + f"c-{theirs.pk}.vcf"
    assert client.request(hidden, "GET").status == 404
    assert client.delete(hidden).status == 404
    assert Contact.objects.filter(pk=theirs.pk).exists()

    # Stale ETag → 412; current ETag → change applied.
    href = book + f"c-{mine.pk}.vcf"
    card = client.request(href, "GET").raw
    stale = client.put(href, card.replace("Carla", "Carlota"),
                       {"Content-Type": "text/vcard", "If-Match": '"1"'})
    assert stale.status == 412
    fresh = client.put(href, card.replace("Carla", "Carlota"),
                       {"Content-Type": "text/vcard", "If-Match": '"2"'})
    assert fresh.status == 204
    mine.refresh_from_db()
    assert mine.first_name == "Carlota" and mine.title == "CTO"

    forged = client.propfind(book, '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]>'
                                   '<d:propfind xmlns:d="DAV:"/>', depth=0)
    assert forged.status == 400


def test_two_devices_saving_the_same_version_at_once_one_wins(live_server):
    """Both send If-Match with the version they read; exactly one change is kept."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the SQLite live server shares one connection between its threads")
    rita = make_user("rita", "sales")
    item = records.create("contacts", {"first_name": "Carla", "email": "c@example.com"},
                          actor=rita)
    raw = app_password(rita)
    href = f"/dav/addressbooks/rita/contacts/c-{item.pk}.vcf"
    card = client_for(live_server.url, "rita", raw, "/dav/").request(
        live_server.url + href, "GET").raw
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def save(name: str) -> None:
        client = client_for(live_server.url, "rita", raw, "/dav/")
        barrier.wait()
        answer = client.put(live_server.url + href, card.replace("Carla", name),
                            {"Content-Type": "text/vcard", "If-Match": '"1"'})
        statuses.append(answer.status)

    threads = [threading.Thread(target=save, args=(n,)) for n in ("Ana", "Bea")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [204, 412]
    item.refresh_from_db()
    assert item.version == 2 and item.first_name in ("Ana", "Bea")
