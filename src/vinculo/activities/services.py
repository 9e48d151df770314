"""Writes of the activities module: completing tasks, stamping times, sending reminders."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.platform import records
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change

from .models import Activity

logger = logging.getLogger(__name__)

REMINDER_BATCH = 500


# ---------------------------------------------------------------------------- write rules


@register("activities", Stage.BEFORE_SAVE, order=20, name="activities.done_at")
def stamp_done_at(change: Change) -> None:
    """`done_at` is when the activity was marked done; it goes away when it is reopened."""
    activity = change.instance
    if not activity.done:
        activity.done_at = None
    elif activity.done_at is None or (change.operation == "update" and not change.was("done")):
        activity.done_at = timezone.now()


@register("activities", Stage.BEFORE_SAVE, order=21, name="activities.rearm_reminder")
def rearm_reminder(change: Change) -> None:
    """A reminder moved to a new time fires again at that time."""
    if change.operation == "update" and change.has_changed("remind_at"):
        change.instance.reminded_at = None


# ---------------------------------------------------------------------------- tasks


def task_complete(task: Activity, actor: Any, *, source: str = "api") -> Activity:
    """Mark a task (or any activity) done; completing a done task changes nothing."""
    return records.update(task, {"done": True}, actor=actor, source=source)


def task_reopen(task: Activity, actor: Any, *, source: str = "api") -> Activity:
    return records.update(task, {"done": False}, actor=actor, source=source)


# ---------------------------------------------------------------------------- reminders


def send_due_reminders(now: dt.datetime | None = None) -> int:
    """Email the owner of every open activity whose reminder time has come; return how many.

    Each reminder is claimed with a conditional UPDATE (`reminded_at IS NULL`) before it is
    sent, so two runs at the same time never send the same reminder twice. A reminder whose
    email fails is released and tried again on the next run.
    """
    now = now or timezone.now()
    sent = 0
    after: tuple[dt.datetime, int] | None = None
    while True:
        batch = _due_batch(now, after)
        for activity in batch:
            if _claim(activity):
                sent += _deliver(activity)
        if len(batch) < REMINDER_BATCH:
            return sent
        after = (batch[-1].remind_at, batch[-1].pk)


def _due_batch(now: dt.datetime, after: tuple[dt.datetime, int] | None) -> list[Activity]:
    qs = Activity.objects.filter(remind_at__lte=now, reminded_at__isnull=True, done=False)
    if after is not None:
        qs = qs.filter(Q(remind_at__gt=after[0]) | Q(remind_at=after[0], pk__gt=after[1]))
    return list(qs.select_related("owner", "contact", "account")
                .order_by("remind_at", "id")[:REMINDER_BATCH])


def _claim(activity: Activity) -> bool:
    claimed_at = timezone.now()
    won = Activity.all_objects.filter(pk=activity.pk, reminded_at__isnull=True).update(
        reminded_at=claimed_at)
    activity.reminded_at = claimed_at
    return won == 1


def _release(activity: Activity) -> None:
    Activity.all_objects.filter(pk=activity.pk, reminded_at=activity.reminded_at).update(
        reminded_at=None)


def _deliver(activity: Activity) -> int:
    owner = activity.owner
    if owner is None or not owner.email or not owner.is_active:
        return 0
    try:
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            subject, body = reminder_message(activity)
        send_mail(subject, body, None, [owner.email])
    except Exception:
        logger.exception("Could not send the reminder of activity %s", activity.pk)
        _release(activity)
        return 0
    return 1


def reminder_message(activity: Activity) -> tuple[str, str]:
    title = activity.subject or activity.get_kind_display()
    subject = _("Reminder: %(title)s") % {"title": title}
    lines = [title]
    if activity.due_at:
        due = timezone.localtime(activity.due_at).strftime("%Y-%m-%d %H:%M %Z")
        lines.append(_("Due: %(when)s") % {"when": due})
    for related in (activity.contact, activity.account, activity.lead, activity.opportunity):
        if related is not None:
            lines.append(str(related))
    if activity.body:
        lines += ["", activity.body[:2000]]
    base = getattr(settings, "VINCULO_SITE_URL", "").rstrip("/")
    lines += ["", f"{base}/activities/{activity.pk}/"]
    return subject, "\n".join(lines)
