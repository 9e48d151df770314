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
    cron: Cron | None = None  # set for jobs registered with `cron(...)`: every = one minute


_schedules: dict[str, Schedule] = {}


def every(name: str, interval: dt.timedelta, task: Task) -> Schedule:
    """Register `task` (a `django.tasks` task taking no arguments) to run once per `interval`."""
    if interval < dt.timedelta(seconds=10):
        raise ValueError("A schedule runs at most every 10 seconds.")
    schedule = Schedule(name, interval, task)
    _schedules[name] = schedule
    return schedule


def cron(name: str, expression: str, task: Task) -> Schedule:
    """Register `task` to run at the minutes a cron expression names (UTC), e.g.
    `"0 3 * * *"` for 03:00 every day; each such minute fires once across every worker."""
    schedule = Schedule(name, dt.timedelta(minutes=1), task, Cron.parse(expression))
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


def due(schedule: Schedule, now: dt.datetime) -> bool:
    """Interval jobs are due in every period; cron jobs in the minutes their expression names."""
    return schedule.cron is None or schedule.cron.matches(now)


def tick(now: dt.datetime | None = None, worker: str = "") -> list[str]:
    """Enqueue every job whose period has come and that no one has claimed; return their names."""
    now = now or timezone.now()
    fired = []
    for schedule in registered():
        if due(schedule, now) and claim(schedule, now, worker):
            schedule.task.enqueue()
            fired.append(schedule.name)
    if fired:
        logger.info("Scheduled jobs enqueued: %s", ", ".join(fired))
    return fired


def prune(keep: dt.timedelta = dt.timedelta(days=7), now: dt.datetime | None = None) -> int:
    cutoff = int(((now or timezone.now()) - keep).timestamp())
    deleted, _ = ScheduledRun.objects.filter(period__lt=cutoff).delete()
    return deleted


# ---------------------------------------------------------------------------- cron expressions

_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
                ("day of week", 0, 7))
_CRON_NAMES = {
    3: {n: i + 1 for i, n in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                        "sep", "oct", "nov", "dec"))},
    4: {n: i for i, n in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))},
}
_CRON_ALIASES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
                 "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
                 "@annually": "0 0 1 1 *"}


class CronError(ValueError):
    pass


@dataclass(frozen=True)
class Cron:
    """A five-field cron expression (minute hour day-of-month month day-of-week, in UTC):
    `*`, lists `1,15`, ranges `1-5`, steps `*/10` `9-17/2`, names `mon` `jan`, and the
    aliases `@hourly` `@daily` `@weekly` `@monthly` `@yearly`. As in cron, when both the day
    of month and the day of week are restricted, a day matching either fires."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> Cron:
        if not isinstance(text, str) or not text.strip():
            raise CronError("Give a cron expression such as '0 9 * * mon-fri'.")
        expr = _CRON_ALIASES.get(text.strip().lower(), text.strip())
        parts = expr.split()
        if len(parts) != 5:
            raise CronError(f"A cron expression has 5 fields (minute hour day month weekday); "
                            f"'{text}' has {len(parts)}.")
        sets = [_cron_field(part, index) for index, part in enumerate(parts)]
        weekdays = frozenset(d % 7 for d in sets[4])
        return cls(text.strip(), sets[0], sets[1], sets[2], sets[3], weekdays,
                   parts[2] == "*", parts[4] == "*")

    def matches(self, when: dt.datetime) -> bool:
        when = when.astimezone(dt.UTC)
        if when.minute not in self.minutes or when.hour not in self.hours:
            return False
        if when.month not in self.months:
            return False
        day_ok = when.day in self.days
        weekday_ok = (when.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return day_ok and weekday_ok
        return day_ok or weekday_ok

    def fire_times(self, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
        """The minutes in (start, end] at which the expression fires (at most a day's)."""
        end = end.astimezone(dt.UTC).replace(second=0, microsecond=0)
        start = max(start.astimezone(dt.UTC), end - dt.timedelta(days=1))
        found, minute = [], end
        while minute > start:
            if self.matches(minute):
                found.append(minute)
            minute -= dt.timedelta(minutes=1)
        return found[::-1]


def _cron_field(part: str, index: int) -> frozenset[int]:
    name, low, high = _CRON_FIELDS[index]
    names = _CRON_NAMES.get(index, {})

    def number(token: str) -> int:
        token = token.strip().lower()
        if token in names:
            return names[token]
        if not token.isascii() or not token.isdigit():
            raise CronError(f"'{token}' is not a valid {name}.")
        value = int(token)
        if not low <= value <= high:
            raise CronError(f"The {name} {value} is outside {low}-{high}.")
        return value

    values: set[int] = set()
    for item in part.split(","):
        step = 1
        if "/" in item:
            item, step_text = item.split("/", 1)
            if not step_text.isascii() or not step_text.isdigit() or int(step_text) < 1:
                raise CronError(f"'{step_text}' is not a valid step for the {name}.")
            step = int(step_text)
        if item == "*":
            first, last = low, high
        elif "-" in item:
            a, b = item.split("-", 1)
            first, last = number(a), number(b)
            if first > last:
                raise CronError(f"The {name} range {item} runs backwards.")
        else:
            first = number(item)
            last = high if step > 1 else first
        values.update(range(first, last + 1, step))
    return frozenset(values)
