"""The scheduler: each period of each recurring job fires exactly once, whoever ticks."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from vinculo.activities.models import Activity
from vinculo.automation import schedules
from vinculo.automation.models import ScheduledRun
from vinculo.platform import records

T0 = dt.datetime(2026, 3, 29, 0, 59, 30, tzinfo=dt.UTC)


def reminders() -> schedules.Schedule:
    return next(s for s in schedules.registered() if s.name == "activities.send_due_reminders")


@pytest.mark.django_db
def test_a_period_is_claimed_once_and_the_next_period_again():
    schedule = reminders()
    assert schedules.claim(schedule, T0, "a") is True
    assert schedules.claim(schedule, T0 + dt.timedelta(seconds=20), "b") is False
    assert schedules.claim(schedule, T0 + dt.timedelta(seconds=31), "b") is True
    assert ScheduledRun.objects.filter(job=schedule.name).count() == 2


@pytest.mark.django_db
def test_tick_runs_due_reminders_once_per_period(rep):
    records.create("activities", {
        "kind": "task", "subject": "Call Lucía back", "due_at": timezone.now(),
        "remind_at": timezone.now() - dt.timedelta(minutes=2)}, actor=rep)
    now = timezone.now()
    assert "activities.send_due_reminders" in schedules.tick(now, "worker-1")
    assert [m.subject for m in mail.outbox] == ["Reminder: Call Lucía back"]
    assert "activities.send_due_reminders" not in schedules.tick(now, "worker-2")
    assert len(mail.outbox) == 1
    assert Activity.objects.get().reminded_at is not None


@pytest.mark.django_db
def test_old_runs_are_pruned():
    schedule = reminders()
    schedules.claim(schedule, timezone.now() - dt.timedelta(days=30))
    schedules.claim(schedule, timezone.now())
    assert schedules.prune() == 1
    assert ScheduledRun.objects.count() == 1


def test_a_schedule_more_often_than_ten_seconds_is_refused():
    with pytest.raises(ValueError):
        schedules.every("too.often", dt.timedelta(seconds=1), reminders().task)


@pytest.mark.skipif(connection.vendor == "sqlite", reason=(
    "the in-memory SQLite test database fails concurrent writers at once instead of waiting"))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_racing_for_the_same_period_fire_it_once():
    schedule = reminders()
    start = threading.Barrier(4)
    wins, errors = [], []

    def worker(name: str) -> None:
        try:
            start.wait()
            wins.append(schedules.claim(schedule, T0, name))
        except Exception as exc:  # a thread cannot fail the test itself: reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(wins) == [False, False, False, True]
