"""Recurring jobs, fired exactly once per period by whichever worker gets there first.

Django's tasks framework has no scheduler, so each `vinculo worker` ticks this one: for every
job whose current period has no `ScheduledRun` row yet, it inserts that row (a unique
constraint lets exactly one worker win) and enqueues the job's task.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone

from .models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    name: str
    every: dt.timedelta
    task: Task


_schedules: dict[str, Schedule] = {}


def every(name: str, interval: dt.timedelta, task: Task) -> Schedule:
    """Register `task` (a `django.tasks` task taking no arguments) to run once per `interval`."""
    if interval < dt.timedelta(seconds=10):
        raise ValueError("A schedule runs at most every 10 seconds.")
    schedule = Schedule(name, interval, task)
    _schedules[name] = schedule
    return schedule


def registered() -> list[Schedule]:
    return list(_schedules.values())


def period_start(schedule: Schedule, now: dt.datetime) -> int:
    seconds = int(schedule.every.total_seconds())
    epoch = int(now.timestamp())
    return epoch - epoch % seconds


def claim(schedule: Schedule, now: dt.datetime, worker: str = "") -> bool:
    """True for exactly one caller per job and period."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=schedule.name, period=period_start(schedule, now),
                                        claimed_by=worker[:100])
    except IntegrityError:
        return False
    return True


def tick(now: dt.datetime | None = None, worker: str = "") -> list[str]:
    """Enqueue every job whose period has come and that no one has claimed; return their names."""
    now = now or timezone.now()
    fired = []
    for schedule in registered():
        if claim(schedule, now, worker):
            schedule.task.enqueue()
            fired.append(schedule.name)
    if fired:
        logger.info("Scheduled jobs enqueued: %s", ", ".join(fired))
    return fired


def prune(keep: dt.timedelta = dt.timedelta(days=7), now: dt.datetime | None = None) -> int:
    cutoff = int(((now or timezone.now()) - keep).timestamp())
    deleted, _ = ScheduledRun.objects.filter(period__lt=cutoff).delete()
    return deleted
