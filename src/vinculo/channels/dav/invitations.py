"""Calendar invitations (iCalendar iTIP, RFC 5546) e-mailed for meetings.

A meeting in the future with attendees — the people its iCalendar lists and, unless
`VINCULO_MEETING_INVITE_CONTACT` is off, the contact it is about — sends each of them a
METHOD:REQUEST (a text/calendar part and an .ics attachment) through the outbound e-mail
settings. A change of time, length, subject, place or people sends it again with a higher
SEQUENCE; people taken off the list and, when the meeting is deleted, everyone invited get a
METHOD:CANCEL. Past meetings (a meeting being logged) send nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.channels import sender
from vinculo.customers.models import Contact

from . import ical
from .models import MeetingDetails, Resource

logger = logging.getLogger(__name__)
KIND = "meeting-invitation"


def invite_contact() -> bool:
    return bool(getattr(settings, "VINCULO_MEETING_INVITE_CONTACT", True))


def recipients(activity: Any, details: MeetingDetails | None) -> list[str]:
    found = [a["email"] for a in (details.attendees if details else []) if a.get("email")]
    if invite_contact() and activity.contact_id:
        email = Contact.all_objects.filter(pk=activity.contact_id).values_list(
            "email", flat=True).first()
        if email:
            found.append(email.lower())
    owner_email = (activity.owner.email.lower() if activity.owner_id and activity.owner.email
                   else "")
    return sorted({e for e in found if e and e != owner_email})


def fingerprint(activity: Any, details: MeetingDetails | None, people: list[str]) -> str:
    what = [activity.occurred_at.isoformat(), activity.duration_minutes, activity.subject,
            details.location if details else "", people]
    return hashlib.sha256(json.dumps(what, default=str).encode()).hexdigest()


def plan(activity: Any, operation: str) -> None:
    """Decide, inside the write's transaction, which invitations to send once it commits."""
    if activity.kind != "meeting":
        return
    removing = operation == "delete" or activity.deleted_at is not None
    if not removing and activity.occurred_at < timezone.now():
        return
    details = MeetingDetails.objects.select_for_update().filter(activity=activity).first()
    if removing:
        if details and details.invited:
            _schedule(activity.pk, "CANCEL", details.invited)
            details.sequence += 1
            details.invited, details.invited_fingerprint = [], ""
            details.save(update_fields=["sequence", "invited", "invited_fingerprint"])
        return
    people = recipients(activity, details)
    removed = sorted(set(details.invited) - set(people)) if details else []
    if not people and not removed:
        return
    if details is None:
        details = MeetingDetails.objects.create(activity=activity)
    print_ = fingerprint(activity, details, people)
    if print_ == details.invited_fingerprint and not removed:
        return
    if details.invited_fingerprint:
        details.sequence += 1
    details.invited, details.invited_fingerprint = people, print_
    details.save(update_fields=["sequence", "invited", "invited_fingerprint"])
    if people:
        _schedule(activity.pk, "REQUEST", people)
    if removed:
        _schedule(activity.pk, "CANCEL", removed)


def _schedule(activity_id: int, method: str, people: list[str]) -> None:
    from .tasks import send_invitation_task

    people = list(people)
    transaction.on_commit(lambda: send_invitation_task.enqueue(activity_id, method, people))


def message_text(activity: Any, method: str, location: str) -> tuple[str, str]:
    start = timezone.localtime(activity.occurred_at).strftime("%Y-%m-%d %H:%M %Z")
    title = activity.subject or _("Meeting")
    if method == "CANCEL":
        subject = _("Cancelled: %(title)s") % {"title": title}
        text = _("This meeting has been cancelled: %(title)s, %(start)s.") % {
            "title": title, "start": start}
    else:
        subject = _("Invitation: %(title)s") % {"title": title}
        text = _("You are invited: %(title)s, %(start)s.") % {"title": title, "start": start}
    if location:
        text += "\n" + _("Where: %(place)s") % {"place": location}
    if activity.body and method != "CANCEL":
        text += "\n\n" + activity.body
    return subject, text


def send(activity_id: int, method: str, people: list[str]) -> int:
    """E-mail the invitation (or cancellation) to each address; the number sent."""
    from vinculo.activities.models import Activity

    from .selectors import organizer_of

    activity = Activity.all_objects.select_related("owner").filter(pk=activity_id).first()
    if activity is None:
        return 0
    details = MeetingDetails.objects.filter(activity=activity).first()
    row = Resource.objects.filter(entity="activities", record_id=activity.pk).first()
    organizer = organizer_of(activity)
    body = ical.render(activity, row.uid if row else ical.uid_of(activity.pk), details,
                       method=method, organizer=organizer)
    subject, text = message_text(activity, method, details.location if details else "")
    sent = 0
    for address in people:
        message = sender.prepare(KIND, address, subject, ref_id=activity.pk)
        email = sender.build(message, text=text)
        email.attach_alternative(body, f"text/calendar; method={method}")
        email.attach("invite.ics", body, "application/ics")
        try:
            with sender.Sender(per_minute=0) as connection:
                connection.send(email)
        except Exception as exc:
            logger.warning("Meeting invitation %s to %s not sent", activity.pk, address,
                           exc_info=True)
            sender.mark_failed(message, str(exc))
            continue
        sender.mark_sent(message)
        sent += 1
    return sent
