"""Writing reports: save a definition (validated by the engine), schedules and dashboard pins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform.views_service import _clean_sharing

from . import engine
from .models import AttachmentFormat, DashboardPin, Frequency, Report, ReportSchedule

DEFINITION_KEYS = ("entity", "scope", "dimensions", "aggregates", "sort", "limit", "chart")


def definition_errors(exc: engine.DefinitionError) -> ValidationError:
    """A DefinitionError as a ValidationError keyed by location (the API's 422 detail)."""
    found: dict[str, list[str]] = {}
    for loc, message in exc.problems:
        found.setdefault(".".join(map(str, loc)) or "definition", []).append(message)
    return ValidationError(found)


def report_save(user, data: dict[str, Any], report: Report | None = None) -> Report:
    """Create (`report=None`) or change a report; a ValidationError names what is wrong."""
    data = dict(data)
    for key in ("name", "visibility", "entity"):
        if key in data and data[key] is None:
            raise ValidationError({key: [_("This field cannot be null.")]})
    if "description" in data and data["description"] is None:
        data["description"] = ""
    merged = {**(report.definition() if report else {}),
              **{k: v for k, v in data.items() if k in DEFINITION_KEYS}}
    try:
        defn = engine.parse(merged)
    except engine.DefinitionError as exc:
        raise definition_errors(exc) from None
    shared = _clean_sharing(user, data, report)
    clean = defn.as_json()
    with transaction.atomic():
        if report is None:
            report = Report(owner=user)
        else:
            report = Report.objects.select_for_update().get(pk=report.pk)
            report.version += 1
            report.updated_at = timezone.now()
        for key, value in data.items():
            if key not in DEFINITION_KEYS:
                setattr(report, key, value)
        for key, value in clean.items():
            setattr(report, key, value)
        report.save()
        if shared is not None:
            report.shared_with.set(shared)
    return report


def schedule_save(user, report: Report, *, frequency: str, attachment: str,
                  recipient_ids: list[int], active: bool = True,
                  schedule: ReportSchedule | None = None) -> ReportSchedule:
    from vinculo.identity.models import User

    problems: dict[str, list[str]] = {}
    if frequency not in Frequency.values:
        problems["frequency"] = [_("Choose daily, weekly or monthly.")]
    if attachment not in AttachmentFormat.values:
        problems["attachment"] = [_("Choose CSV or XLSX.")]
    wanted = set(recipient_ids or [])
    users = list(User.objects.filter(pk__in=wanted, is_active=True))
    if not wanted:
        problems["recipient_ids"] = [_("Choose at least one recipient.")]
    elif len(users) != len(wanted):
        missing = sorted(wanted - {u.pk for u in users})
        problems["recipient_ids"] = [_("No such users: %(ids)s") % {
            "ids": ", ".join(map(str, missing))}]
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if schedule is None:
            schedule = ReportSchedule(report=report, created_by=user)
        schedule.frequency, schedule.attachment, schedule.active = frequency, attachment, active
        schedule.save()
        schedule.recipients.set(users)
    return schedule


def pin(user, report: Report) -> None:
    position = DashboardPin.objects.filter(user=user).count()
    try:
        with transaction.atomic():
            DashboardPin.objects.create(user=user, report=report, position=position)
    except IntegrityError:
        pass  # already pinned


def unpin(user, report: Report) -> None:
    DashboardPin.objects.filter(user=user, report=report).delete()
