"""CSAT: sent over SMTP when a case is resolved, answered on the public page, stored on the
case and the timeline, filterable; one per case; forged and expired links refused."""

from __future__ import annotations

import json

import pytest
from django.core import signing
from django.test import Client

from vinculo.activities.models import Activity
from vinculo.service.surveys.models import Invitation, SurveyResponse

from .conftest import token_of


def _case(admin_api, contact, **extra):
    r = admin_api.post("cases", {"subject": "La impresora no imprime", "contact_id": contact.pk,
                                 **extra})
    assert r.status_code == 201, r.content
    return r.json()


def _resolve(admin_api, case, capture):
    with capture(execute=True):
        r = admin_api.patch(f"cases/{case['id']}", {"status": "resolved"})
    assert r.status_code == 200, r.content


def test_resolving_a_case_sends_one_survey_answered_on_the_public_page(
        smtp, admin, admin_api, people, django_capture_on_commit_callbacks):
    lucia = people["lucia"]
    case = _case(admin_api, lucia)
    assert smtp.messages == []
    _resolve(admin_api, case, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 1
    _sender, to, message = smtp.messages[0]
    assert to == ["lucia@example.com"]
    assert f"#{case['id']}" in message["Subject"]
    # Asked in Spanish (a contact in Spain).
    assert "satisfecho" in message.get_body(("plain",)).get_content()
    assert Invitation.objects.get().language == "es"
    token = token_of(message)

    public = Client()
    page = public.get(f"/s/{token}/")
    assert page.status_code == 200
    assert "satisfecho" in page.content.decode()
    bad = public.post(f"/s/{token}/", {"score": "9"})
    assert bad.status_code == 422 and "1" in bad.content.decode()
    done = public.post(f"/s/{token}/", {"score": "4", "comment": "Rápido <b>y</b> amable"})
    assert done.status_code == 200, done.content
    r = admin_api.get(f"cases/{case['id']}")
    assert r.json()["satisfaction"] == 4
    # The answer is a note on the case and the customer's timeline.
    note = Activity.objects.get(case_id=case["id"], contact_id=lucia.pk, kind="note")
    assert "4" in note.subject and note.body == "Rápido <b>y</b> amable"
    browser = Client()
    browser.force_login(admin)
    timeline = browser.get(f"/cases/{case['id']}/")
    assert timeline.status_code == 200
    html = timeline.content.decode()
    assert 'data-panel="csat"' in html and "Rápido &lt;b&gt;y&lt;/b&gt; amable" in html

    # Changed within the window: the same response and note are updated.
    public.post(f"/s/{token}/", {"score": "5", "comment": ""})
    assert SurveyResponse.objects.get().score == 5
    assert admin_api.get(f"cases/{case['id']}").json()["satisfaction"] == 5
    assert Activity.objects.filter(case_id=case["id"], kind="note").count() == 1

    # Filterable in the filter language.
    node = {"field": "satisfaction", "op": "gte", "value": 5}
    ids = [c["id"] for c in admin_api.get("cases", filter=json.dumps(node)).json()["items"]]
    assert ids == [case["id"]]

    # Reopened and resolved again: no second survey.
    admin_api.patch(f"cases/{case['id']}", {"status": "open"})
    _resolve(admin_api, case, django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 1 and Invitation.objects.count() == 1


def test_answer_is_final_after_the_window(smtp, admin_api, people, clock,
                                          django_capture_on_commit_callbacks):
    case = _case(admin_api, people["nora"])
    _resolve(admin_api, case, django_capture_on_commit_callbacks)
    message = smtp.messages[0][2]
    assert "How satisfied" in message.get_body(("plain",)).get_content()  # English (GB)
    token = token_of(message)
    public = Client()
    assert public.post(f"/s/{token}/", {"score": "2"}).status_code == 200
    clock.advance(days=8)
    late = public.post(f"/s/{token}/", {"score": "5"})
    assert late.status_code == 409
    assert SurveyResponse.objects.get().score == 2


@pytest.mark.parametrize("token", ["nonsense", "eyJpIjoxfQ:1abc:deadbeef", "x" * 300, "%00"])
def test_forged_or_broken_links_get_a_clear_page(db, token):
    r = Client().get(f"/s/{token}/")
    assert r.status_code == 400
    assert "not valid" in r.content.decode()
    r = Client().post(f"/s/{token}/", {"score": "5"})
    assert r.status_code == 400


def test_a_link_signed_with_another_key_or_for_another_invitation_is_refused(
        smtp, admin_api, people, django_capture_on_commit_callbacks, monkeypatch):
    case = _case(admin_api, people["lucia"])
    _resolve(admin_api, case, django_capture_on_commit_callbacks)
    forged = signing.TimestampSigner(key="not-our-secret", salt="vinculo.surveys.answer") \
        .sign_object({"i": Invitation.objects.get().pk})
    assert Client().post(f"/s/{forged}/", {"score": "1"}).status_code == 400
    unknown = signing.TimestampSigner(salt="vinculo.surveys.answer").sign_object({"i": 999999})
    assert Client().get(f"/s/{unknown}/").status_code == 400
    # Expired: read 40 days later.
    token = token_of(smtp.messages[0][2])
    import time as time_module

    later = time_module.time() + 40 * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    r = Client().get(f"/s/{token}/")
    assert r.status_code == 400 and "expired" in r.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_queue_setting_turns_the_survey_off(smtp, admin_api, agent, agent_api, people,
                                            django_capture_on_commit_callbacks):
    r = admin_api.post("queues", {"name": "Billing", "member_ids": [agent.pk]})
    assert r.status_code == 201, r.content
    queue = r.json()
    r = admin_api._call("put", f"surveys/queue-settings/{queue['id']}", {"csat_enabled": False})
    assert r.status_code == 200, r.content
    assert agent_api._call("put", f"surveys/queue-settings/{queue['id']}",
                           {"csat_enabled": True}).status_code == 403
    case = _case(admin_api, people["lucia"], queue_id=queue["id"])
    _resolve(admin_api, case, django_capture_on_commit_callbacks)
    assert smtp.messages == []
    settings = admin_api.get("surveys/queue-settings").json()
    assert settings == [{"queue_id": queue["id"], "name": "Billing", "csat_enabled": False}]


def test_no_survey_to_a_contact_marked_do_not_contact(smtp, admin_api, people,
                                                      django_capture_on_commit_callbacks):
    case = _case(admin_api, people["marta"])
    _resolve(admin_api, case, django_capture_on_commit_callbacks)
    assert smtp.messages == [] and Invitation.objects.count() == 0
