"""What the service module registers with the platform."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.activities import selectors as timeline
from vinculo.automation import schedules
from vinculo.identity.models import User
from vinculo.platform import access, registry
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change
from vinculo.platform.registry import Entity, Related

from . import services, sla, tasks
from .models import Calendar, Case, Macro, Queue, SlaPolicy

registry.register(Entity(
    name="cases", model=Case, label=gettext_lazy("case"), label_plural=gettext_lazy("cases"),
    filter_fields=("id", "subject", "description", "status", "priority", "channel",
                   "contact_id", "contact", "account_id", "account", "queue_id", "queue",
                   "assignee_id", "assignee", "order_id", "product_id", "first_response_due",
                   "resolution_due", "first_responded_at", "resolved_at", "satisfaction",
                   "owner_id", "owner", "created_at", "updated_at"),
    ordering_fields=("id", "subject", "status", "priority", "first_response_due",
                     "resolution_due", "created_at", "updated_at"),
    default_ordering=("-created_at",),
    search_fields=("subject", "description"),
    title=lambda c: c.subject,
    subtitle=lambda c: " · ".join(x for x in (c.get_status_display(),
                                              c.get_priority_display()) if x),
    related={"activities": Related("activities", "activities")},
    list_columns=("subject", "status", "priority", "queue", "assignee", "resolution_due"),
))
registry.register(Entity(
    name="queues", model=Queue, label=gettext_lazy("queue"),
    label_plural=gettext_lazy("queues"), owned=False,
    filter_fields=("id", "name", "assignment", "created_at"), ordering_fields=("id", "name"),
    default_ordering=("name",), search_fields=("name",), title=lambda q: q.name,
    related={"cases": Related("cases", "cases")}, list_columns=("name", "assignment"),
))
registry.register(Entity(
    name="sla-policies", model=SlaPolicy, label=gettext_lazy("SLA policy"),
    label_plural=gettext_lazy("SLA policies"), owned=False,
    filter_fields=("id", "name", "priority", "account_tier", "calendar_id"),
    ordering_fields=("id", "name", "priority"), default_ordering=("name",),
    search_fields=("name",), title=lambda p: p.name,
    list_columns=("name", "priority", "first_response_minutes", "resolution_minutes"),
))
registry.register(Entity(
    name="calendars", model=Calendar, label=gettext_lazy("business calendar"),
    label_plural=gettext_lazy("business calendars"), owned=False,
    filter_fields=("id", "name", "time_zone"), ordering_fields=("id", "name"),
    default_ordering=("name",), search_fields=("name",), title=lambda c: c.name,
    list_columns=("name", "time_zone"),
))
registry.register(Entity(
    name="macros", model=Macro, label=gettext_lazy("macro"),
    label_plural=gettext_lazy("macros"), owned=False,
    filter_fields=("id", "name"), ordering_fields=("id", "name"), default_ordering=("name",),
    search_fields=("name", "reply_en", "reply_es"), title=lambda m: m.name,
    list_columns=("name",),
))

for _name in ("contacts", "accounts"):
    _entity = registry.maybe(_name)
    if _entity is not None:
        _entity.related["cases"] = Related("cases", "cases")


# ---------------------------------------------------------------------------- write rules


# After the business rules (order 500), which may route a case to a queue or change its
# priority: the queue's assignment and the SLA follow what the rules decided.
register("cases", Stage.BEFORE_SAVE, order=540, name="service.queue_member")(
    services.check_queue_member)
register("cases", Stage.BEFORE_SAVE, order=550, name="service.queue_assign")(
    services.assign_from_queue)
register("cases", Stage.BEFORE_SAVE, order=560, name="service.sla")(services.apply_sla)
# After the assignment rules (order 1000), which may give a new record an owner.
register("cases", Stage.BEFORE_SAVE, order=1100, name="service.owner_follows_assignee")(
    services.owner_follows_assignee)


@register("activities", Stage.AFTER_SAVE, operations=("create",), order=200,
          name="service.first_response")
def first_response(change: Change) -> None:
    services.mark_first_response(change.instance)


@register("queues", Stage.BEFORE_VALIDATE, name="service.queue_members_in")
def take_member_ids(change: Change) -> None:
    if "member_ids" in change.data:
        ids = list(dict.fromkeys(change.data.pop("member_ids") or []))
        found = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError({"member_ids": [_("No such user: %(ids)s.") % {
                "ids": ", ".join(map(str, missing))}]})
        change.context["member_ids"] = ids


@register("queues", Stage.AFTER_SAVE, name="service.queue_members_save")
def save_member_ids(change: Change) -> None:
    ids = change.context.get("member_ids")
    if ids is None:
        return
    queue = change.instance
    before = sorted(queue.members.values_list("pk", flat=True))
    queue.members.set(ids)
    if before != sorted(ids):
        change.extra["member_ids"] = [before, sorted(ids)]


@register("calendars", Stage.BEFORE_SAVE, name="service.calendar_valid")
def check_calendar(change: Change) -> None:
    calendar = change.instance
    try:
        sla.validate_time_zone(calendar.time_zone)
    except ValueError as exc:
        raise ValidationError({"time_zone": [str(exc)]}) from None
    try:
        calendar.hours = sla.validate_hours(calendar.hours)
    except ValueError as exc:
        raise ValidationError({"hours": [str(exc)]}) from None
    holidays = calendar.holidays
    if not isinstance(holidays, list):
        raise ValidationError({"holidays": [_("Give a list of dates (YYYY-MM-DD).")]})
    try:
        calendar.holidays = sorted({dt.date.fromisoformat(str(d)).isoformat() for d in holidays})
    except ValueError:
        raise ValidationError({"holidays": [_("Give a list of dates (YYYY-MM-DD).")]}) from None


@register("macros", Stage.BEFORE_SAVE, name="service.macro_valid")
def check_macro(change: Change) -> None:
    changes = change.instance.changes
    if not isinstance(changes, dict) or set(changes) - services.MACRO_FIELDS:
        raise ValidationError({"changes": [_("A macro may set: %(fields)s.") % {
            "fields": ", ".join(sorted(services.MACRO_FIELDS))}]})


# ---------------------------------------------------------------------------- timeline


def _case_rows(user, entity_name: str, record: Model) -> QuerySet | None:
    if entity_name not in ("accounts", "contacts"):
        return None
    fk = "account_id" if entity_name == "accounts" else "contact_id"
    qs = Case.objects.filter(**{fk: record.pk}).select_related("owner")
    return access.scope(user, "cases", "view", qs)


def _case_item(case: Any, record: Model) -> timeline.TimelineItem:
    return timeline.TimelineItem(
        source="case", kind="case", at=case.created_at, id=case.pk,
        title=_("Case #%(id)s: %(subject)s") % {"id": case.pk, "subject": case.subject},
        body=f"{case.get_status_display()} · {case.get_priority_display()}",
        url=f"/cases/{case.pk}/", actor=case.owner.display_name() if case.owner else None,
        obj=case,
    )


timeline.register_source(timeline.Source("cases", _case_rows, "created_at", _case_item))

schedules.every("service.escalate", dt.timedelta(minutes=1), tasks.escalate_cases)


def _setup_by_admins(change: Change) -> None:
    """Queues, SLA policies, calendars and macros are set up by administrators."""
    if change.actor is not None and not access.is_admin(change.actor):
        raise access.PermissionDenied(_("Only administrators may change the service setup."))


for _setup in ("queues", "sla-policies", "calendars", "macros"):
    register(_setup, Stage.BEFORE_VALIDATE, operations=("create", "update", "delete", "restore"),
             order=1, name=f"service.{_setup}.admins")(_setup_by_admins)
