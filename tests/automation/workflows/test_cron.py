"""Cron expressions: parsing, matching, and cron jobs of the scheduler firing once per minute."""

import datetime as dt

import pytest
from django.utils import timezone

from vinculo.automation import schedules
from vinculo.automation.models import ScheduledRun
from vinculo.automation.schedules import Cron, CronError
from vinculo.automation.workflows import tasks

MONDAY_9 = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize(("expression", "when", "expected"), [
    ("0 9 * * mon-fri", MONDAY_9, True),
    ("0 9 * * sat,sun", MONDAY_9, False),
    ("*/15 * * * *", MONDAY_9 + dt.timedelta(minutes=45), True),
    ("*/15 * * * *", MONDAY_9 + dt.timedelta(minutes=44), False),
    ("0 9 1 * *", MONDAY_9 - dt.timedelta(days=2), False),
    ("0 9 1 * mon", MONDAY_9, True),  # day of month OR day of week, as in cron
    ("@daily", MONDAY_9.replace(hour=0), True),
    ("0 9 * mar *", MONDAY_9, True),
    ("0 9-17/4 * * *", MONDAY_9 + dt.timedelta(hours=4), True),
    ("0 0 * * 7", dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC), True),  # 7 is Sunday too
])
def test_matching(expression, when, expected):
    assert Cron.parse(expression).matches(when) is expected


@pytest.mark.parametrize("expression", ["", "* * * *", "60 * * * *", "* 24 * * *",
                                        "* * 0 * *", "5-1 * * * *", "*/0 * * * *",
                                        "x * * * *", "* * * * funday", "¹ * * * *"])
def test_bad_expressions_say_what_is_wrong(expression):
    with pytest.raises(CronError):
        Cron.parse(expression)


def test_fire_times_between_two_moments():
    cron = Cron.parse("*/20 9 * * *")
    assert [t.minute for t in cron.fire_times(MONDAY_9, MONDAY_9 + dt.timedelta(hours=1))] == [
        20, 40]


@pytest.mark.django_db
def test_a_cron_job_fires_once_in_its_minute_whoever_ticks():
    # near the real time: old periods are pruned by a job of the same tick
    at = timezone.now().replace(second=5, microsecond=0)
    schedule = schedules.cron("test.cron_job", f"{at.minute} {at.hour} * * *",
                              tasks.fire_date_triggers)
    try:
        assert "test.cron_job" not in schedules.tick(at - dt.timedelta(minutes=1), "a")
        assert "test.cron_job" in schedules.tick(at, "a")
        assert "test.cron_job" not in schedules.tick(at + dt.timedelta(seconds=20), "b")
        assert ScheduledRun.objects.filter(job="test.cron_job").count() == 1
        assert schedule.cron is not None
    finally:
        schedules._schedules.pop("test.cron_job", None)
