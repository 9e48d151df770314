"""iCalendar ↔ activities: a VEVENT is a meeting, a VTODO a task.

Times are read with their TZID (or the VTIMEZONE sent with them) and kept as instants; a
floating time is read in the server's time zone; an all-day event starts at midnight there.
Times are written in UTC, which every client shows in its own zone. Repeating events are
refused: an activity happens once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import vobject
from django.utils import timezone
from django.utils.translation import gettext as _

from .cards import Unparseable, fold

MAX_CALENDAR_BYTES = 512 * 1024
PRODID = "-//Vinculo//Vinculo CRM//EN"
DEFAULT_MINUTES = 60


def uid_of(activity_id: int) -> str:
    return f"vinculo-activity-{activity_id}"


# ---------------------------------------------------------------------------- writing


def escape(value: str) -> str:
    return (str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def param(value: str) -> str:
    value = str(value).replace('"', "'").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _people(activity: Any, details: Any, organizer: tuple[str, str] | None) -> list[str]:
    lines = []
    if organizer and organizer[1]:
        name, email = organizer
        lines.append(f"ORGANIZER;CN={param(name or email)}:mailto:{email}")
    for person in (details.attendees if details else []):
        email = person.get("email", "")
        if not email:
            continue
        cn = f";CN={param(person['name'])}" if person.get("name") else ""
        lines.append(f"ATTENDEE{cn};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
                     f"mailto:{email}")
    return lines


def component(activity: Any, uid: str, details: Any = None,
              organizer: tuple[str, str] | None = None, cancelled: bool = False) -> list[str]:
    """The VEVENT or VTODO lines of an activity."""
    stamp = utc(activity.updated_at)
    lines = [f"UID:{escape(uid)}", f"DTSTAMP:{stamp}", f"LAST-MODIFIED:{stamp}",
             f"CREATED:{utc(activity.created_at)}"]
    if activity.subject:
        lines.append(f"SUMMARY:{escape(activity.subject)}")
    if activity.body:
        lines.append(f"DESCRIPTION:{escape(activity.body)}")
    if activity.kind == "task":
        if activity.due_at:
            lines.append(f"DUE:{utc(activity.due_at)}")
        if activity.done:
            lines += ["STATUS:COMPLETED", "PERCENT-COMPLETE:100"]
            if activity.done_at:
                lines.append(f"COMPLETED:{utc(activity.done_at)}")
        else:
            lines.append("STATUS:NEEDS-ACTION")
        return ["BEGIN:VTODO", *lines, "END:VTODO"]
    minutes = activity.duration_minutes if activity.duration_minutes is not None else (
        DEFAULT_MINUTES)
    lines += [f"DTSTART:{utc(activity.occurred_at)}",
              f"DTEND:{utc(activity.occurred_at + dt.timedelta(minutes=minutes))}",
              f"SEQUENCE:{details.sequence if details else 0}",
              "STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED"]
    if details and details.location:
        lines.append(f"LOCATION:{escape(details.location)}")
    lines += _people(activity, details, organizer)
    return ["BEGIN:VEVENT", *lines, "END:VEVENT"]


def render(activity: Any, uid: str, details: Any = None, *, method: str = "",
           organizer: tuple[str, str] | None = None) -> str:
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        head.append(f"METHOD:{method}")
    body = component(activity, uid, details, organizer, cancelled=method == "CANCEL")
    return "\r\n".join(fold(line) for line in [*head, *body, "END:VCALENDAR"]) + "\r\n"


# ---------------------------------------------------------------------------- reading


def _instant(value: Any) -> dt.datetime:
    """An aware datetime for a DATE, a floating or a zoned DATE-TIME."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            return timezone.make_aware(value, timezone.get_default_timezone())
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return timezone.make_aware(dt.datetime.combine(value, dt.time()),
                                   timezone.get_default_timezone())
    raise Unparseable(_("A date in the event cannot be read."))


def _text(item: Any, name: str, limit: int) -> str:
    line = item.contents.get(name)
    if not line:
        return ""
    value = line[0].value
    return (value if isinstance(value, str) else str(value or "")).strip()[:limit]


def _attendees(item: Any, organizer_email: str) -> list[dict[str, str]]:
    found, seen = [], set()
    for line in item.contents.get("attendee", [])[:200]:
        address = str(line.value or "").strip()
        if address.lower().startswith("mailto:"):
            address = address[7:]
        address = address.strip().lower()[:254]
        if "@" not in address or address in seen or address == organizer_email:
            continue
        seen.add(address)
        name = (line.params.get("CN") or [""])[0]
        found.append({"email": address, "name": str(name).strip()[:200]})
    return found


def _load(body: bytes) -> Any:
    if len(body) > MAX_CALENDAR_BYTES:
        raise Unparseable(_("This calendar object is too large."))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unparseable(_("The calendar object is not UTF-8 text.")) from exc
    if "BEGIN:VCALENDAR" not in text.upper():
        raise Unparseable(_("The body is not iCalendar (no BEGIN:VCALENDAR)."))
    try:
        calendar = vobject.readOne(text)
    except Exception as exc:  # vobject raises many kinds on bad input
        raise Unparseable(_("This calendar object cannot be read: %(error)s.") % {
            "error": str(exc)[:200]}) from exc
    if calendar.name.upper() != "VCALENDAR":
        raise Unparseable(_("The body is not a VCALENDAR."))
    return calendar


def parse(body: bytes) -> tuple[dict[str, Any], str, dict[str, Any] | None]:
    """(activity values, UID, meeting details or None) of one VEVENT or VTODO."""
    calendar = _load(body)
    items = [c for c in calendar.getChildren() if c.name.upper() in ("VEVENT", "VTODO")]
    if len(items) != 1:
        raise Unparseable(_("Send exactly one event or to-do per calendar object (found "
                            "%(n)d); repeating events are not supported.") % {"n": len(items)})
    item = items[0]
    if item.contents.get("rrule") or item.contents.get("rdate"):
        raise Unparseable(_("Repeating events are not supported: an activity happens once."))
    uid = _text(item, "uid", 255)
    try:
        if item.name.upper() == "VTODO":
            return _todo(item), uid, None
        values, details = _event(item)
        return values, uid, details
    except Unparseable:
        raise
    except Exception as exc:  # a date of the wrong type, a duration that does not parse
        raise Unparseable(_("This calendar object cannot be read: %(error)s.") % {
            "error": str(exc)[:200]}) from exc


def _event(item: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if "dtstart" not in item.contents:
        raise Unparseable(_("The event has no start (DTSTART)."))
    start = _instant(item.dtstart.value)
    if "dtend" in item.contents:
        minutes = (_instant(item.dtend.value) - start).total_seconds() / 60
    elif "duration" in item.contents:
        minutes = item.duration.value.total_seconds() / 60
    elif not isinstance(item.dtstart.value, dt.datetime):
        minutes = 24 * 60
    else:
        minutes = 0
    if minutes < 0:
        raise Unparseable(_("The event ends before it starts."))
    organizer = ""
    if "organizer" in item.contents:
        organizer = str(item.organizer.value or "").lower().removeprefix("mailto:").strip()
    values = {"kind": "meeting", "subject": _text(item, "summary", 300),
              "body": _text(item, "description", 100_000), "occurred_at": start,
              "duration_minutes": round(minutes)}
    details = {"location": _text(item, "location", 300),
               "attendees": _attendees(item, organizer)}
    return values, details


def _todo(item: Any) -> dict[str, Any]:
    due = None
    if "due" in item.contents:
        due = _instant(item.due.value)
    elif "dtstart" in item.contents:
        due = _instant(item.dtstart.value)
    status = _text(item, "status", 40).upper()
    done = status == "COMPLETED" or ("completed" in item.contents and status != "NEEDS-ACTION")
    return {"kind": "task", "subject": _text(item, "summary", 300),
            "body": _text(item, "description", 100_000),
            "due_at": due or timezone.now(), "done": done}
