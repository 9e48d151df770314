"""Phone: inbound-call webhooks (screen pop, missed calls become tasks, completed calls are
logged) and one-click call logging on the contact page."""

import pytest

from tests.conftest import make_user
from vinculo.activities.models import Activity
from vinculo.channels.inbox.models import Call

pytestmark = pytest.mark.django_db


def _call(sid, status, sender="+34612345678", **extra):
    return {"CallSid": sid, "From": sender, "To": "+34911000000", "CallStatus": status,
            "Direction": "inbound", "AccountSid": "AC123", **extra}


def test_inbound_call_pops_the_record_for_the_owner_then_a_missed_call_becomes_a_task(
        hooks, sms, customer, rep, client):
    r = hooks.twilio(sms, "voice", _call("CA1", "ringing"))
    assert r.status_code == 200 and b"<Response>" in r.content
    call = Call.objects.get(call_sid="CA1")
    assert call.contact_id == customer.pk and call.assignee_id == rep.pk  # the contact's owner
    client.force_login(rep)
    pop = client.get("/inbox/calls/ringing/").content.decode()
    assert "Incoming call" in pop and f"/contacts/{customer.pk}/" in pop and "Lucía" in pop
    # Someone not concerned sees nothing.
    client.force_login(make_user("zoe", "sales"))
    assert "Incoming call" not in client.get("/inbox/calls/ringing/").content.decode()
    assert hooks.twilio(sms, "voice", _call("CA1", "ringing")).status_code == 409  # replay
    assert hooks.twilio(sms, "voice", _call("CA1", "no-answer")).status_code == 200
    task = Activity.objects.get(kind="task", contact=customer)
    assert task.owner_id == rep.pk and not task.done and task.due_at is not None
    assert "missed call" in task.subject.lower()
    client.force_login(rep)
    assert "Incoming call" not in client.get("/inbox/calls/ringing/").content.decode()
    # A repeated end changes nothing.
    hooks.twilio(sms, "voice", _call("CA1", "busy"))
    assert Activity.objects.filter(kind="task").count() == 1


def test_unknown_caller_rings_for_the_queue_with_a_new_contact_link(hooks, sms, agent, client):
    hooks.twilio(sms, "voice", _call("CA2", "ringing", sender="+34600111222"))
    client.force_login(agent)
    pop = client.get("/inbox/calls/ringing/").content.decode()
    assert "+34600111222" in pop and "/contacts/new/?phone=%2B34600111222" in pop


def test_completed_call_is_logged_with_its_duration(hooks, sms, customer):
    hooks.twilio(sms, "voice", _call("CA3", "ringing"))
    hooks.twilio(sms, "voice", _call("CA3", "in-progress"))
    hooks.twilio(sms, "voice", _call("CA3", "completed", CallDuration="125"))
    activity = Activity.objects.get(kind="call", contact=customer)
    assert activity.duration_minutes == 3 and activity.outcome == "connected"
    assert Call.objects.get(call_sid="CA3").duration_seconds == 125


def test_call_webhook_bad_input_and_forgery(hooks, sms):
    assert hooks.twilio(sms, "voice", _call("CA4", "exploding")).status_code == 422
    assert hooks.twilio(sms, "voice", {"CallSid": "CA5", "CallStatus": "ringing"}
                        ).status_code == 422
    assert hooks.twilio(sms, "voice", _call("CA6", "ringing"), token="bad").status_code == 403
    assert not Call.objects.exists()


def test_call_logging_panel_on_the_contact_page(customer, rep, client, rep_api, other_rep):
    client.force_login(rep)
    page = client.get(f"/contacts/{customer.pk}/").content.decode()
    assert 'href="tel:+34612345678"' in page and "Log call" in page
    assert 'value="sms" selected' in page  # the preferred channel by default
    r = client.post(f"/inbox/calls/log/{customer.pk}/", {"outcome": "voicemail",
                                                          "duration_minutes": "2",
                                                          "notes": "Left a message"})
    assert r.status_code == 302
    activity = Activity.objects.get(kind="call", contact=customer)
    assert activity.outcome == "voicemail" and activity.duration_minutes == 2
    assert activity.owner_id == rep.pk and activity.body == "Left a message"
    r = rep_api.post(f"contacts/{customer.pk}/calls", {"outcome": "connected",
                                                       "duration_minutes": 5})
    assert r.status_code == 201 and r.json()["kind"] == "call"
    assert rep_api.post(f"contacts/{customer.pk}/calls",
                        {"outcome": "maybe"}).status_code == 422
    client.force_login(other_rep)
    assert client.post(f"/inbox/calls/log/{customer.pk}/",
                       {"outcome": "busy"}).status_code == 404
