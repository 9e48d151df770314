"""Messages put into a real Dovecot mailbox over IMAP become cases, replies on cases,
attachments, reported problems — each exactly once."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from vinculo.activities.models import Activity
from vinculo.customers.models import Contact
from vinculo.service.mail import services, tasks
from vinculo.service.mail.models import Attachment, Mailbox, MailMessage
from vinculo.service.models import Case

from .conftest import mail


def fetch(admin_api, box) -> dict:
    r = admin_api.post(f"mailboxes/{box.id}/fetch")
    assert r.status_code == 200, r.content
    return r.json()


def test_new_message_opens_a_case_in_the_queue_with_a_new_contact(admin_api, mailbox, agent,
                                                                  smtp):
    msg = mail(message_id="<first@example.net>")
    mailbox.deliver(msg)
    result = fetch(admin_api, mailbox)
    assert result["error"] == "" and len(result["created_case_ids"]) == 1
    case = Case.objects.get(pk=result["created_case_ids"][0])
    assert case.subject == "My order has not arrived" and case.channel == "email"
    assert case.queue_id == mailbox.data["queue_id"] and case.assignee_id == agent.pk
    assert case.first_response_due is None or case.first_responded_at is None
    assert "where is my order" in case.description
    # An unknown sender becomes a contact the case's agent can see.
    contact = Contact.objects.get(email="lucia@example.net")
    assert (contact.first_name, contact.last_name) == ("Lucia", "Perez")
    assert case.contact_id == contact.pk and contact.owner_id == agent.pk
    activity = Activity.objects.get(case=case)
    assert (activity.kind, activity.direction, activity.contact_id) == (
        "email", "inbound", contact.pk)
    row = MailMessage.objects.get(case=case, direction="inbound")
    assert row.message_id == "<first@example.net>" and row.activity_id == activity.pk
    # On the customer's timeline.
    r = admin_api.get(f"contacts/{contact.pk}/timeline")
    assert r.status_code == 200
    assert any(i.get("kind") == "email" for i in r.json()["items"])
    # Fetching again finds nothing new.
    assert fetch(admin_api, mailbox)["created_case_ids"] == []
    assert Case.objects.count() == 1


def test_known_sender_is_matched_to_the_contact(admin_api, mailbox):
    contact = admin_api.post("contacts", {"first_name": "Lucía", "last_name": "Pérez",
                                          "email": "Lucia@Example.net"}).json()
    mailbox.deliver(mail())
    case_id = fetch(admin_api, mailbox)["created_case_ids"][0]
    assert Case.objects.get(pk=case_id).contact_id == contact["id"]
    assert Contact.objects.count() == 1


def test_reply_by_in_reply_to_goes_to_its_case_and_reopens_it(admin_api, mailbox):
    mailbox.deliver(mail(message_id="<q1@example.net>"))
    case_id = fetch(admin_api, mailbox)["created_case_ids"][0]
    assert admin_api.patch(f"cases/{case_id}", {"status": "resolved"}).status_code == 200
    mailbox.deliver(mail(subject="Re: something else", body="It is still missing",
                         message_id="<q2@example.net>", in_reply_to="<q1@example.net>",
                         references="<q1@example.net>"))
    result = fetch(admin_api, mailbox)
    assert result["created_case_ids"] == [] and result["updated_case_ids"] == [case_id]
    case = Case.objects.get(pk=case_id)
    assert case.status == "open" and case.resolved_at is None
    assert Activity.objects.filter(case=case, direction="inbound").count() == 2
    row = MailMessage.objects.get(message_id="<q2@example.net>")
    assert (row.in_reply_to, row.references) == ("<q1@example.net>", "<q1@example.net>")


def test_reply_by_subject_token_goes_to_its_case(admin_api, mailbox):
    mailbox.deliver(mail())
    case_id = fetch(admin_api, mailbox)["created_case_ids"][0]
    mailbox.deliver(mail(subject=f"Re: [#{case_id}] My order", body="Any news?"))
    assert fetch(admin_api, mailbox)["updated_case_ids"] == [case_id]
    # Someone else using the token opens a case of their own (a token is guessable).
    mailbox.deliver(mail(subject=f"[#{case_id}] hello", sender="mallory@evil.test"))
    result = fetch(admin_api, mailbox)
    assert len(result["created_case_ids"]) == 1 and result["created_case_ids"][0] != case_id
    assert Case.objects.get(pk=result["created_case_ids"][0]).subject == "hello"


def test_reply_to_a_closed_case_opens_a_follow_up(admin_api, mailbox):
    mailbox.deliver(mail(message_id="<c1@example.net>"))
    case_id = fetch(admin_api, mailbox)["created_case_ids"][0]
    assert admin_api.patch(f"cases/{case_id}", {"status": "closed"}).status_code == 200
    mailbox.deliver(mail(subject="Re: order", in_reply_to="<c1@example.net>"))
    new_id = fetch(admin_api, mailbox)["created_case_ids"][0]
    assert new_id != case_id
    assert f"#{case_id}" in Case.objects.get(pk=new_id).description


def test_attachments_are_kept_and_an_oversized_one_is_reported(admin_api, mailbox, settings,
                                                               agent_api, agent2_api):
    settings.VINCULO_MAIL_ATTACHMENT_MAX_BYTES = 1000
    msg = mail()
    msg.add_attachment(b"%PDF-1.4 small invoice", maintype="application", subtype="pdf",
                       filename="invoice.pdf")
    msg.add_attachment(b"x" * 5000, maintype="image", subtype="png", filename="../photo.png")
    mailbox.deliver(msg)
    case_id = fetch(admin_api, mailbox)["created_case_ids"][0]
    kept, skipped = Attachment.objects.filter(case_id=case_id).order_by("id")
    assert kept.filename == "invoice.pdf" and kept.size == 22 and kept.file
    assert skipped.filename == "photo.png" and not skipped.file
    assert "1000" in skipped.skipped_reason
    items = agent_api.get(f"cases/{case_id}/messages").json()["items"]
    files = items[0]["attachments"]
    assert [(f["filename"], f["kept"]) for f in files] == [("invoice.pdf", True),
                                                           ("photo.png", False)]
    r = agent_api.get(files[0]["download_url"])
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 small invoice"
    assert "attachment" in r["Content-Disposition"]
    # Another agent does not see the case, nor its files.
    assert agent2_api.get(files[0]["download_url"]).status_code == 404
    assert agent2_api.get(f"cases/{case_id}/messages").status_code == 404


def test_html_only_message_is_read_as_text(admin_api, mailbox):
    msg = mail()
    msg.set_content("<html><head><style>p{color:red}</style></head><body><p>Hola,</p>"
                    "<script>alert(1)</script><p>mi pedido &amp; factura</p></body></html>",
                    subtype="html")
    mailbox.deliver(msg)
    case = Case.objects.get(pk=fetch(admin_api, mailbox)["created_case_ids"][0])
    assert case.description == "Hola,\n\nmi pedido & factura"


MALFORMED = (b"From: lucia@example.net\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\r\n"
             b"no boundary ever appears here\r\n")


def test_malformed_message_is_kept_raw_and_reported(admin_api, mailbox, client, admin):
    mailbox.deliver(MALFORMED, mail(subject="fine"))
    result = fetch(admin_api, mailbox)
    assert result["failed"] == 1 and len(result["created_case_ids"]) == 1
    problems = admin_api.get(f"mailboxes/{mailbox.id}/problems").json()
    assert len(problems) == 1 and problems[0]["subject"] == "broken"
    assert "boundary" in problems[0]["error"].lower() or "MIME" in problems[0]["error"]
    row = MailMessage.objects.get(pk=problems[0]["id"])
    assert row.raw.read() == MALFORMED
    # Shown on the mailbox page with the raw message to download.
    client.force_login(admin)
    page = client.get(f"/settings/mailboxes/{mailbox.id}/")
    assert page.status_code == 200 and b"broken" in page.content
    raw = client.get(problems[0]["raw_url"])
    assert raw.status_code == 200 and b"".join(raw.streaming_content) == MALFORMED
    # Not read again on the next poll.
    assert fetch(admin_api, mailbox)["failed"] == 0


def test_automatic_mail_is_ignored_and_never_acknowledged(admin_api, mailbox, smtp):
    mailbox.deliver(mail(subject="Out of office", auto_submitted="auto-replied"),
                    mail(subject="Newsletter", precedence="bulk"),
                    mail(subject="Loop", sender="help@vinculo.test"))
    result = fetch(admin_api, mailbox)
    assert result["ignored"] == 3 and result["created_case_ids"] == []
    assert smtp.messages == []


def test_same_message_twice_is_one_case(admin_api, mailbox):
    msg = mail(message_id="<dup@example.net>")
    mailbox.deliver(msg, msg)
    result = fetch(admin_api, mailbox)
    assert len(result["created_case_ids"]) == 1 and result["duplicates"] == 1
    # A new UIDVALIDITY (the folder was rebuilt) reads everything again: still one case.
    Mailbox.objects.filter(pk=mailbox.id).update(uidvalidity=1, last_uid=0)
    again = fetch(admin_api, mailbox)
    assert again["created_case_ids"] == [] and again["duplicates"] == 2
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_fetches_make_one_case_per_message(admin_api, mailbox):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (the SQLite test database is in memory)")
    mailbox.deliver(*[mail(subject=f"Question {i}") for i in range(6)])
    box = mailbox.row
    results, errors = [], []

    def worker():
        try:
            # Without the lease: both really read and race on the unique constraints.
            results.append(services.fetch(Mailbox.objects.get(pk=box.pk), lease=False))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and all(r.error == "" for r in results)
    assert Case.objects.count() == 6
    assert MailMessage.objects.filter(direction="inbound").count() == 6
    assert sum(len(r.created) for r in results) == 6


def test_a_second_poller_waits_for_the_lease(mailbox):
    box = mailbox.row
    Mailbox.objects.filter(pk=box.pk).update(lease_until=timezone.now()
                                             + services.LEASE)
    assert services.fetch(box).busy


def test_mailbox_down_records_the_error_and_is_retried_with_backoff(admin_api, mailbox,
                                                                    dovecot):
    from .dovecot import free_port

    mailbox.deliver(mail())
    admin_api.patch(f"mailboxes/{mailbox.id}", {"port": free_port()})
    result = fetch(admin_api, mailbox)
    assert result["error"] and result["created_case_ids"] == []
    box = admin_api.get(f"mailboxes/{mailbox.id}").json()
    assert box["failures"] == 1 and box["last_error"] and box["next_poll_at"]
    # The scheduled poll skips it until its backoff has passed...
    assert list(services.due_mailboxes()) == []
    assert tasks.fetch_mail.call() == 0
    Mailbox.objects.filter(pk=mailbox.id).update(next_poll_at=timezone.now())
    assert tasks.fetch_mail.call() == 0
    assert Mailbox.objects.get(pk=mailbox.id).failures == 2
    # ...and once the server is back, the next poll reads the message.
    admin_api.patch(f"mailboxes/{mailbox.id}", {"port": dovecot.port})
    assert tasks.fetch_mail.call() == 1
    box = Mailbox.objects.get(pk=mailbox.id)
    assert (box.failures, box.last_error, box.next_poll_at) == (0, "", None)
    assert Case.objects.count() == 1


def test_fetch_mail_command(mailbox, capsys):
    mailbox.deliver(mail(), mail(subject="Second"))
    call_command("fetch_mail", "--mailbox", str(mailbox.id))
    assert "2 new cases" in capsys.readouterr().out
    call_command("fetch_mail")
    assert "0 new cases" in capsys.readouterr().out
