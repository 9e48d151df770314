"""Calendar invitations e-mailed over real SMTP: REQUEST with UID/SEQUENCE, CANCEL on delete."""

from __future__ import annotations

import datetime as dt

import pytest
import vobject
from django.utils import timezone

from tests.sales.smtp import SMTPServer
from vinculo.platform import records

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = {"default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5}}}
        yield server


def calendar_part(message):
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return vobject.readOne(part.get_content())
    raise AssertionError("no text/calendar part")


def test_a_future_meeting_invites_its_contact_and_attendees(smtp, rep,
                                                            django_capture_on_commit_callbacks):
    from vinculo.channels.dav.models import MeetingDetails
    from vinculo.channels.models import OutboundMessage

    carla = records.create("contacts", {"first_name": "Carla", "email": "carla@example.com"},
                           actor=rep)
    start = timezone.now() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = records.create("activities", {
            "kind": "meeting", "subject": "Demo", "occurred_at": start.isoformat(),
            "duration_minutes": 45, "contact_id": carla.pk}, actor=rep,
            context={"dav_details": {"location": "Office", "attendees": [
                {"email": "boss@example.org", "name": "Boss"}]}})
    assert sorted(r[0] for _s, r, _m in smtp.messages) == ["boss@example.org",
                                                           "carla@example.com"]
    invite = calendar_part(smtp.messages[0][2])
    assert invite.method.value == "REQUEST"
    assert invite.vevent.uid.value == f"vinculo-activity-{meeting.pk}"
    assert invite.vevent.sequence.value == "0" and invite.vevent.location.value == "Office"
    assert "rita@example.com" in invite.vevent.organizer.value
    assert OutboundMessage.objects.filter(kind="meeting-invitation", status="sent").count() == 2

    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        records.update(meeting, {"subject": "Demo (sales team)"}, actor=rep)
    assert calendar_part(smtp.messages[0][2]).vevent.sequence.value == "1"
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        records.update(meeting, {"body": "notes only"}, actor=rep)
    assert smtp.messages == []  # nothing the attendees see changed

    with django_capture_on_commit_callbacks(execute=True):
        records.delete(meeting, actor=rep)
    cancel = calendar_part(smtp.messages[0][2])
    assert cancel.method.value == "CANCEL" and cancel.vevent.status.value == "CANCELLED"
    assert int(cancel.vevent.sequence.value) >= 2
    assert sorted(r[0] for _s, r, _m in smtp.messages) == ["boss@example.org",
                                                           "carla@example.com"]
    assert MeetingDetails.objects.get(activity=meeting).invited == []


def test_a_logged_past_meeting_sends_nothing(smtp, rep, django_capture_on_commit_callbacks):
    carla = records.create("contacts", {"first_name": "Carla", "email": "carla@example.com"},
                           actor=rep)
    with django_capture_on_commit_callbacks(execute=True):
        records.create("activities", {
            "kind": "meeting", "subject": "Visit", "contact_id": carla.pk,
            "occurred_at": (timezone.now() - dt.timedelta(days=1)).isoformat()}, actor=rep)
    assert smtp.messages == []


def test_an_attendee_taken_off_gets_a_cancellation(smtp, rep,
                                                   django_capture_on_commit_callbacks):
    start = (timezone.now() + dt.timedelta(days=3)).isoformat()
    people = [{"email": "a@example.org", "name": ""}, {"email": "b@example.org", "name": ""}]
    with django_capture_on_commit_callbacks(execute=True):
        meeting = records.create("activities", {"kind": "meeting", "subject": "Plan",
                                                "occurred_at": start}, actor=rep,
                                 context={"dav_details": {"location": "", "attendees": people}})
    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        records.update(meeting, {}, actor=rep, context={"dirty": True, "dav_details": {
            "location": "", "attendees": people[:1]}})
    sent = {r[0]: calendar_part(m).method.value for _s, r, m in smtp.messages}
    assert sent == {"a@example.org": "REQUEST", "b@example.org": "CANCEL"}


def test_attendees_api_sends_invitations_and_checks_access(smtp, rep, rep_api, other_api,
                                                           django_capture_on_commit_callbacks):
    start = (timezone.now() + dt.timedelta(days=5)).isoformat()
    meeting = records.create("activities", {"kind": "meeting", "subject": "Kick-off",
                                            "occurred_at": start}, actor=rep)
    path = f"/api/v1/activities/{meeting.pk}/attendees"
    assert other_api._call("put", path, {"attendees": []}).status_code == 404
    bad = rep_api._call("put", path, {"attendees": [{"email": "not-an-address"}]})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "attendees", 0, "email"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = rep_api._call("put", path, {"location": "Room 2", "attendees": [
            {"email": "Guest@Example.org", "name": "Guest"}]})
    assert answer.status_code == 200, answer.content
    assert answer.json()["invited"] == ["guest@example.org"]
    assert [r for _s, r, _m in smtp.messages] == [["guest@example.org"]]
    assert calendar_part(smtp.messages[0][2]).vevent.location.value == "Room 2"
    assert rep_api.get(path).json()["attendees"] == [{"email": "guest@example.org",
                                                      "name": "Guest"}]
