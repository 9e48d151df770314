"""The SLA clock in business minutes: hours, holidays, time zones, daylight saving."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from vinculo.service.sla import Clock, add_business_minutes, business_minutes_between

MADRID = ZoneInfo("Europe/Madrid")
WEEKDAYS_9_17 = {str(d): [["09:00", "17:00"]] for d in range(5)}
ALWAYS = {str(d): [["00:00", "24:00"]] for d in range(7)}


def madrid(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MADRID)


def test_without_calendar_the_clock_runs_around_the_clock():
    start = dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC)
    assert add_business_minutes(start, 90) == start + dt.timedelta(minutes=90)
    assert business_minutes_between(start, start + dt.timedelta(hours=2)) == 120


def test_minutes_past_closing_time_continue_next_business_morning():
    clock = Clock("Europe/Madrid", WEEKDAYS_9_17)
    # Friday 16:00 + 120 minutes: 60 on Friday, 60 on Monday from 09:00.
    due = add_business_minutes(madrid(2026, 11, 20, 16, 0), 120, clock)
    assert due == madrid(2026, 11, 23, 10, 0)
    assert business_minutes_between(madrid(2026, 11, 20, 16, 0), due, clock) == 120


def test_a_start_outside_hours_waits_for_the_opening():
    clock = Clock("Europe/Madrid", WEEKDAYS_9_17)
    assert add_business_minutes(madrid(2026, 11, 24, 7, 30), 30, clock) == madrid(
        2026, 11, 24, 9, 30)
    assert add_business_minutes(madrid(2026, 11, 22, 12, 0), 60, clock) == madrid(
        2026, 11, 23, 10, 0)  # Sunday → Monday


def test_holidays_have_no_business_hours():
    clock = Clock("Europe/Madrid", WEEKDAYS_9_17, ["2026-12-25", "2026-12-28"])
    # Thursday 24th 16:00 + 120: 60 that day, 25th holiday, weekend, 28th holiday, 29th.
    due = add_business_minutes(madrid(2026, 12, 24, 16, 0), 120, clock)
    assert due == madrid(2026, 12, 29, 10, 0)
    assert business_minutes_between(madrid(2026, 12, 24, 16), madrid(2026, 12, 29, 10),
                                    clock) == 120


def test_hours_are_in_the_calendars_time_zone():
    tokyo = Clock("Asia/Tokyo", WEEKDAYS_9_17)
    # 09:00 Tokyo on Tuesday is 00:00 UTC.
    start = dt.datetime(2026, 11, 24, 0, 0, tzinfo=dt.UTC)
    assert add_business_minutes(start, 60, tokyo) == dt.datetime(2026, 11, 24, 1, 0,
                                                                 tzinfo=dt.UTC)


def test_split_days_count_both_intervals():
    clock = Clock("UTC", {"0": [["09:00", "13:00"], ["15:00", "19:00"]]})
    start = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)  # Monday
    assert add_business_minutes(start, 120, clock) == dt.datetime(2026, 11, 23, 16, 0,
                                                                  tzinfo=dt.UTC)


@pytest.mark.parametrize(("day", "hours"), [
    ((2026, 3, 29), 23),  # clocks go forward: a 23-hour day
    ((2026, 10, 25), 25),  # clocks go back: a 25-hour day
])
def test_daylight_saving_days_count_the_hours_they_really_have(day, hours):
    clock = Clock("Europe/Madrid", ALWAYS)
    start = madrid(*day)
    end = madrid(*(dt.date(*day) + dt.timedelta(days=1)).timetuple()[:3])
    assert business_minutes_between(start, end, clock) == hours * 60
    assert add_business_minutes(start, hours * 60, clock) == end


def test_business_hours_keep_their_wall_clock_time_across_dst():
    clock = Clock("Europe/Madrid", WEEKDAYS_9_17)
    # Friday 27 March 2026 16:00 CET (+1) + 120 → Monday 30 March 10:00 CEST (+2).
    due = add_business_minutes(madrid(2026, 3, 27, 16, 0), 120, clock)
    assert due == madrid(2026, 3, 30, 10, 0)
    assert due.astimezone(dt.UTC).hour == 8
    # And in October: Friday 23rd CEST → Monday 26th CET.
    due = add_business_minutes(madrid(2026, 10, 23, 16, 0), 120, clock)
    assert due == madrid(2026, 10, 26, 10, 0)
    assert due.astimezone(dt.UTC).hour == 9


def test_between_is_zero_when_the_end_is_not_after_the_start():
    clock = Clock("UTC", WEEKDAYS_9_17)
    a = dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC)
    assert business_minutes_between(a, a, clock) == 0
    assert business_minutes_between(a, a - dt.timedelta(hours=1), clock) == 0
