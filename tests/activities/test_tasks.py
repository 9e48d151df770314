"""Tasks: validation, completing and reopening, and reminders sent exactly once."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from tests.conftest import api_for, make_user
from vinculo.activities import services, tasks
from vinculo.activities.models import Activity
from vinculo.platform import records
from vinculo.platform.models import AuditEntry

NOW = timezone.now()


def new_task(actor, **data):
    values = {"kind": "task", "subject": "Send the offer", "due_at": NOW + dt.timedelta(days=2),
              **data}
    return records.create("activities", values, actor=actor)


# ---------------------------------------------------------------------------- validation


def test_a_task_needs_a_subject_and_a_due_date(rep_api):
    r = rep_api.post("activities", {"kind": "task", "subject": "Call back"})
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "due_at"]]
    r = rep_api.post("activities", {"kind": "task", "due_at": NOW.isoformat()})
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "subject"]]
    r = rep_api.post("activities", {"kind": "task", "subject": "Call back",
                                    "due_at": NOW.isoformat()})
    assert r.status_code == 201, r.content
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(("kind", "ahead", "accepted"), [
    ("call", dt.timedelta(hours=3), True),
    ("call", dt.timedelta(days=3), False),
    ("email", dt.timedelta(days=400), False),
    ("note", dt.timedelta(days=2), False),
    ("meeting", dt.timedelta(days=30), True),
    ("visit", dt.timedelta(days=30), True),
    ("call", -dt.timedelta(days=3000), True),
])
def test_logged_activities_cannot_be_dated_far_in_the_future(rep_api, kind, ahead, accepted):
    r = rep_api.post("activities", {"kind": kind, "subject": "Talked",
                                    "occurred_at": (timezone.now() + ahead).isoformat()})
    assert r.status_code == (201 if accepted else 422), r.content
    if not accepted:
        assert r.json()["detail"][0]["loc"] == ["body", "occurred_at"]


# ---------------------------------------------------------------------------- done / undone


def test_complete_and_reopen(rep, rep_api):
    task = new_task(rep)
    r = rep_api.post(f"activities/{task.pk}/complete")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["done"] is True and body["done_at"] and body["version"] == 2
    entry = AuditEntry.objects.filter(entity="activities", record_id=task.pk,
                                      operation="update").get()
    assert entry.changes == {"done": [False, True]} and entry.actor_id == rep.pk

    again = rep_api.post(f"activities/{task.pk}/complete").json()
    assert again["version"] == 2 and again["done_at"] == body["done_at"]

    r = rep_api.post(f"activities/{task.pk}/reopen")
    assert r.status_code == 200
    assert r.json()["done"] is False and r.json()["done_at"] is None
    assert r.json()["version"] == 3


def test_task_complete_service_goes_through_the_pipeline(rep):
    task = new_task(rep)
    services.task_complete(task, rep)
    task.refresh_from_db()
    assert task.done and task.done_at is not None and task.version == 2


def test_completing_someone_elses_task(rep, other_rep, manager):
    task = new_task(rep)
    assert api_for(other_rep).post(f"activities/{task.pk}/complete").status_code == 404
    reader = make_user("rob", "readonly")
    assert api_for(reader).post(f"activities/{task.pk}/complete").status_code == 403
    assert api_for(manager).post(f"activities/{task.pk}/complete").status_code == 200
    assert api_for(manager).post("activities/999999/complete").status_code == 404
    task.refresh_from_db()
    assert task.done


# ---------------------------------------------------------------------------- reminders


def due_reminder(actor, minutes_ago=5, **data):
    return new_task(actor, remind_at=timezone.now() - dt.timedelta(minutes=minutes_ago), **data)


def test_reminders_are_sent_to_the_owner_once(rep, other_rep):
    first = due_reminder(rep, subject="Send the offer")
    second = due_reminder(other_rep, subject="Book the visit")
    due_reminder(rep, done=True)
    new_task(rep, remind_at=timezone.now() + dt.timedelta(hours=1))
    binned = due_reminder(rep)
    records.delete(binned, actor=rep)

    assert services.send_due_reminders(timezone.now()) == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"rita@example.com", "oscar@example.com"}
    assert sent["rita@example.com"].subject == "Reminder: Send the offer"
    assert f"/activities/{first.pk}/" in sent["rita@example.com"].body
    assert sent["oscar@example.com"].subject == "Reminder: Book the visit"

    assert services.send_due_reminders(timezone.now()) == 0
    assert len(mail.outbox) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.reminded_at and second.reminded_at


def test_moving_a_reminder_sends_it_again(rep):
    task = due_reminder(rep)
    assert services.send_due_reminders() == 1
    records.update(task, {"remind_at": timezone.now() - dt.timedelta(minutes=1)}, actor=rep)
    assert services.send_due_reminders() == 1
    assert len(mail.outbox) == 2


def test_reminder_in_the_owners_language(rep):
    rep.language = "es"
    rep.save(update_fields=["language"])
    due_reminder(rep, subject="Enviar la oferta")
    services.send_due_reminders()
    assert mail.outbox[0].to == ["rita@example.com"]
    assert "Enviar la oferta" in mail.outbox[0].subject


def test_a_reminder_whose_email_fails_is_tried_again(rep, settings):
    task = due_reminder(rep)
    settings.MAILERS = {"default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2}}}
    assert services.send_due_reminders() == 0
    task.refresh_from_db()
    assert task.reminded_at is None
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert services.send_due_reminders() == 1
    assert len(mail.outbox) == 1


def test_the_background_task_sends_reminders(rep):
    due_reminder(rep)
    result = tasks.send_due_reminders.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason=(
    "the in-memory SQLite test database fails concurrent writers at once ('table is locked') "
    "where the file database of a real installation makes them wait"))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_reminder_once(rep, other_rep):
    for i in range(30):
        due_reminder(rep if i % 2 else other_rep, subject=f"Task {i}")
    start = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            start.wait()
            counts.append(services.send_due_reminders(timezone.now()))
        except Exception as exc:  # reported below, a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], [repr(e) for e in errors]
    assert sum(counts) == 30
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(f"Reminder: Task {i}" for i in range(30))
    assert Activity.objects.filter(reminded_at__isnull=True).count() == 0



def test_open_tasks_lists_the_users_undone_tasks_soonest_first(rep, other_rep):
    from vinculo.activities.selectors import open_tasks

    later = new_task(rep, due_at=NOW + dt.timedelta(days=5))
    sooner = new_task(rep, due_at=NOW + dt.timedelta(days=1))
    new_task(rep, done=True)
    new_task(other_rep)
    records.create("activities", {"kind": "call", "subject": "x"}, actor=rep)
    assert open_tasks(rep) == [sooner, later]
    assert open_tasks(rep, due_before=NOW + dt.timedelta(days=2)) == [sooner]
