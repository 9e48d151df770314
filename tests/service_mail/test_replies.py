"""Agents' replies and acknowledgements over a real SMTP connection, threaded by their
headers; the mailbox API; who may do what."""

from __future__ import annotations

import pytest

from tests.conftest import api_for, make_user
from vinculo.activities.models import Activity
from vinculo.service.mail.models import MailMessage
from vinculo.service.models import Case

from .conftest import mail
from .test_ingest import fetch


@pytest.fixture
def case_id(admin_api, mailbox, smtp):
    mailbox.deliver(mail(message_id="<start@example.net>"))
    case_id = fetch(admin_api, mailbox)["created_case_ids"][0]
    return case_id


def test_acknowledgement_is_sent_once_threaded_in_english(admin_api, mailbox, smtp, case_id):
    assert len(smtp.messages) == 1
    sender, recipients, ack = smtp.messages[0]
    assert recipients == ["lucia@example.net"] and sender == "help@vinculo.test"
    assert ack["Subject"].startswith(f"[#{case_id}] We received your request")
    assert ack["In-Reply-To"] == "<start@example.net>"
    assert ack["References"] == "<start@example.net>"
    assert ack["Auto-Submitted"] == "auto-replied" and ack["Content-Language"] == "en"
    assert f"#{case_id}" in ack.get_content()
    row = MailMessage.objects.get(case_id=case_id, kind="ack")
    assert row.message_id == ack["Message-ID"]
    # The acknowledgement is not the agent's first response.
    assert Case.objects.get(pk=case_id).first_responded_at is None
    # A reply to it lands on the case and is not acknowledged again.
    mailbox.deliver(mail(subject="Re: ack", in_reply_to=ack["Message-ID"]))
    assert fetch(admin_api, mailbox)["updated_case_ids"] == [case_id]
    assert len(smtp.messages) == 1


def test_acknowledgement_in_spanish(admin_api, mailbox, smtp):
    mailbox.deliver(mail(subject="Mi pedido no ha llegado",
                         body="Hola, tengo un problema con mi pedido. Gracias por la ayuda."),
                    mail(subject="Factura", body="Invoice please", content_language="es-ES",
                         sender="juan@example.org"))
    fetch(admin_api, mailbox)
    subjects = sorted(m["Subject"] for _s, _r, m in smtp.messages)
    assert len(subjects) == 2
    assert all("Hemos recibido su solicitud" in s for s in subjects)
    assert all(m["Content-Language"] == "es" for _s, _r, m in smtp.messages)


def test_no_acknowledgement_when_switched_off(admin_api, mailbox, smtp):
    admin_api.patch(f"mailboxes/{mailbox.id}", {"auto_acknowledge": False})
    mailbox.deliver(mail())
    assert len(fetch(admin_api, mailbox)["created_case_ids"]) == 1
    assert smtp.messages == []


def test_agent_reply_is_sent_threaded_and_is_the_first_response(agent_api, agent, smtp,
                                                                case_id, mailbox, admin_api):
    smtp.messages.clear()
    r = agent_api.post(f"cases/{case_id}/replies", {"body": "It ships tomorrow."})
    assert r.status_code == 201, r.content
    out = r.json()
    sender, recipients, msg = smtp.messages[0]
    assert recipients == ["lucia@example.net"] and sender == "help@vinculo.test"
    assert msg["Subject"] == f"[#{case_id}] My order has not arrived"
    assert msg["In-Reply-To"] == "<start@example.net>"
    ack_id = MailMessage.objects.get(case_id=case_id, kind="ack").message_id
    assert msg["References"].split() == ["<start@example.net>", ack_id]
    assert msg["Message-ID"] == out["message_id"] and "ships tomorrow" in msg.get_content()
    activity = Activity.objects.get(pk=out["activity_id"])
    assert (activity.kind, activity.direction, activity.case_id, activity.owner_id) == (
        "email", "outbound", case_id, agent.pk)
    case = Case.objects.get(pk=case_id)
    assert case.first_responded_at is not None and case.status == "open"
    # The customer's answer to the reply threads back to the case.
    mailbox.deliver(mail(subject="Re: thanks", in_reply_to=out["message_id"],
                         references=f"<start@example.net> {out['message_id']}"))
    assert fetch(admin_api, mailbox)["updated_case_ids"] == [case_id]
    kinds = [m["kind"] for m in agent_api.get(f"cases/{case_id}/messages").json()["items"]]
    assert kinds == ["message", "ack", "reply", "message"]


def test_reply_to_other_addresses_and_the_page_form(agent, smtp, case_id, client):
    smtp.messages.clear()
    client.force_login(agent)
    page = client.get(f"/cases/{case_id}/")
    assert page.status_code == 200 and b'action="/cases/%d/reply/"' % case_id in page.content
    r = client.post(f"/cases/{case_id}/reply/", {"to": "boss@example.net, lucia@example.net",
                                                  "body": "<b>Done</b>"})
    assert r.status_code == 302
    _s, recipients, msg = smtp.messages[0]
    assert recipients == ["boss@example.net", "lucia@example.net"]
    page = client.get(f"/cases/{case_id}/")
    assert b"<b>Done</b>" not in page.content


def test_reply_permissions(case_id, agent2_api, smtp, db):
    readonly = api_for(make_user("rita", "readonly"))
    assert readonly.get(f"cases/{case_id}").status_code == 200
    assert readonly.post(f"cases/{case_id}/replies", {"body": "x"}).status_code == 403
    assert agent2_api.post(f"cases/{case_id}/replies", {"body": "x"}).status_code == 404
    assert agent2_api.post("cases/999999/replies", {"body": "x"}).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({}, "body"),
    ({"body": ""}, "body"),
    ({"body": "hi", "to": ["not-an-address"]}, "to"),
    ({"body": "hi", "cc": "x@example.com"}, "cc"),
    ({"body": "hi", "colour": "red"}, "colour"),
])
def test_reply_bad_input_is_422(agent_api, case_id, body, field):
    r = agent_api.post(f"cases/{case_id}/replies", body)
    assert r.status_code == 422, r.content
    assert field in str(r.json()["detail"])


def test_reply_without_an_address_is_422(agent_api, agent):
    case = agent_api.post("cases", {"subject": "Phone call"}).json()
    r = agent_api.post(f"cases/{case['id']}/replies", {"body": "hi"})
    assert r.status_code == 422 and "to" in str(r.json()["detail"])


def test_reply_refused_by_the_mail_server_is_502_and_not_recorded(agent_api, case_id, smtp):
    smtp.refuse = True
    r = agent_api.post(f"cases/{case_id}/replies", {"body": "hello"})
    assert r.status_code == 502
    assert not Activity.objects.filter(case_id=case_id, direction="outbound").exists()


def test_mailbox_api_never_returns_the_password(admin_api, mailbox, agent_api):
    body = admin_api.get(f"mailboxes/{mailbox.id}").json()
    assert "password" not in body and body["has_password"] is True
    listed = admin_api.get("mailboxes").json()["items"]
    assert all("password" not in m for m in listed)
    r = admin_api.patch(f"mailboxes/{mailbox.id}", {"password": "", "name": "Help"})
    assert r.status_code == 200 and mailbox.row.password == "secret"
    assert agent_api.get("mailboxes").status_code == 403
    assert agent_api.post(f"mailboxes/{mailbox.id}/fetch").status_code == 403
    assert admin_api.get("mailboxes/999999").status_code == 404


@pytest.mark.parametrize("change, field", [
    ({"port": 0}, "port"), ({"security": "tls13"}, "security"),
    ({"address": "nope"}, "address"), ({"queue_id": 999999}, "queue_id"),
    ({"host": ""}, "host"), ({"secret": 1}, "secret"),
])
def test_mailbox_bad_input_is_422(admin_api, mailbox, change, field):
    r = admin_api.patch(f"mailboxes/{mailbox.id}", change)
    assert r.status_code == 422, r.content
    assert field in str(r.json()["detail"])


def test_mailbox_pages_never_show_the_password(client, admin, mailbox, agent):
    client.force_login(admin)
    page = client.get("/settings/mailboxes/")
    assert page.status_code == 200 and b"Support inbox" in page.content
    detail = client.get(f"/settings/mailboxes/{mailbox.id}/")
    assert detail.status_code == 200 and b"secret" not in detail.content
    assert b"Fetch now" in detail.content
    r = client.post(f"/settings/mailboxes/{mailbox.id}/fetch/")
    assert r.status_code == 302
    client.force_login(agent)
    assert client.get("/settings/mailboxes/").status_code == 403
