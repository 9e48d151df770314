"""The SLA clock: business minutes in a calendar's own time zone, holidays excluded.

All arithmetic happens on wall-clock intervals of each local day, converted to aware
datetimes with zoneinfo, so a day that loses or gains an hour (daylight saving) counts the
hours it really has. Without a calendar the clock runs around the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_DAYS = 3660  # a target further than ten years away is not looked for


def _parse_time(text: str) -> dt.time:
    hours, minutes = str(text).split(":")
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return dt.time.max
    return dt.time(h, m)


def validate_hours(hours: object) -> dict[str, list[list[str]]]:
    """{"0": [["09:00", "17:00"]], ...} (0 = Monday); raises ValueError when malformed."""
    if not isinstance(hours, dict):
        raise ValueError("hours must be an object of weekday -> intervals")
    clean: dict[str, list[list[str]]] = {}
    for day, intervals in hours.items():
        if str(day) not in {str(i) for i in range(7)}:
            raise ValueError(f"unknown weekday {day!r} (0 = Monday … 6 = Sunday)")
        if not isinstance(intervals, list):
            raise ValueError("intervals must be a list of [start, end]")
        out = []
        for item in intervals:
            if not isinstance(item, list | tuple) or len(item) != 2:
                raise ValueError("each interval is [\"HH:MM\", \"HH:MM\"]")
            try:
                start, end = _parse_time(item[0]), _parse_time(item[1])
            except (ValueError, TypeError):
                raise ValueError(f"bad time in {item!r}") from None
            if end <= start:
                raise ValueError(f"interval {item!r} ends before it starts")
            out.append([str(item[0]), str(item[1])])
        clean[str(day)] = sorted(out)
    return clean


def validate_time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


class Clock:
    """A calendar's business hours, ready to count."""

    def __init__(self, time_zone: str = "UTC", hours: dict | None = None,
                 holidays: list | None = None):
        self.zone = ZoneInfo(time_zone or "UTC")
        self.hours = {int(d): [(_parse_time(a), _parse_time(b)) for a, b in v]
                      for d, v in (hours or {}).items()}
        self.holidays = {dt.date.fromisoformat(str(d)) for d in holidays or []}
        self.always = not hours

    @classmethod
    def of(cls, calendar) -> Clock:
        if calendar is None:
            return cls()
        return cls(calendar.time_zone, calendar.hours, calendar.holidays)

    def _local(self, day: dt.date, t: dt.time) -> dt.datetime:
        if t == dt.time.max:
            naive = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        else:
            naive = dt.datetime.combine(day, t)
        # A wall time that does not exist (skipped by DST) maps forward; fold=0 otherwise.
        aware = naive.replace(tzinfo=self.zone)
        return aware.astimezone(dt.UTC)

    def intervals(self, start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Business intervals (UTC) from `start`'s local day onwards."""
        day = start.astimezone(self.zone).date()
        for _ in range(MAX_DAYS):
            if day not in self.holidays:
                for a, b in self.hours.get(day.weekday(), ()):
                    yield self._local(day, a), self._local(day, b)
            day += dt.timedelta(days=1)


def add_business_minutes(start: dt.datetime, minutes: float, calendar=None) -> dt.datetime:
    """The moment `minutes` business minutes after `start` (an aware datetime)."""
    clock = calendar if isinstance(calendar, Clock) else Clock.of(calendar)
    if clock.always:
        return start + dt.timedelta(minutes=minutes)
    left = dt.timedelta(minutes=minutes)
    for a, b in clock.intervals(start):
        if b <= start:
            continue
        a = max(a, start)
        if b - a >= left:
            return a + left
        left -= b - a
    raise ValueError("no business hours in the calendar")


def business_minutes_between(a: dt.datetime, b: dt.datetime, calendar=None) -> float:
    """Business minutes from `a` to `b` (0 when b is not after a)."""
    clock = calendar if isinstance(calendar, Clock) else Clock.of(calendar)
    if b <= a:
        return 0.0
    if clock.always:
        return (b - a).total_seconds() / 60
    total = dt.timedelta()
    for start, end in clock.intervals(a):
        if start >= b:
            break
        lo, hi = max(start, a), min(end, b)
        if hi > lo:
            total += hi - lo
    return total.total_seconds() / 60
