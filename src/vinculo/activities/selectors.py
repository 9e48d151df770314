"""Reads of the activities module: the timeline of an account or a contact, open tasks.

The timeline merges several sources — activities, orders, the record's change history, and
whatever later modules register with `register_source` — newest first. It is keyset
paginated over the merged stream: the cursor is the `(at, source, id)` of the last item, each
source returns at most `limit + 1` rows strictly below it, so page 1,000 costs what page 1
costs and items that share a timestamp are neither repeated nor skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from vinculo.customers.models import Contact
from vinculo.customers.selectors import history_q
from vinculo.platform import access, registry
from vinculo.platform.models import AuditEntry
from vinculo.platform.pagination import CursorError, decode_cursor, encode_cursor
from vinculo.platform.records import writable_fields

from .models import Activity

TIMELINE_ENTITIES = ("accounts", "contacts", "leads", "opportunities", "cases")
# The activity column that ties an activity to a record of each entity with a timeline.
ACTIVITY_LINKS = {"accounts": "account_id", "contacts": "contact_id", "leads": "lead_id",
                  "opportunities": "opportunity_id", "cases": "case_id"}
MAX_LIMIT = 200


@dataclass(frozen=True)
class TimelineItem:
    source: str  # which stream it comes from: "activity", "order", "change", …
    kind: str  # the activity kind ("call", "task", …), "order" or "change"
    at: dt.datetime
    id: int  # the id of `obj`
    title: str
    body: str
    url: str | None
    actor: str | None
    obj: Any

    @property
    def key(self) -> tuple[dt.datetime, str, int]:
        return (self.at, self.source, self.id)


@dataclass(frozen=True)
class Source:
    """One stream of the timeline.

    `rows(user, entity_name, record)` gives the queryset of rows about the record that the
    user may see (or None when the source has nothing for this kind of record); `time_field`
    is the timestamp it is ordered by; `item(obj, record)` turns a row into a `TimelineItem`.
    """

    name: str
    rows: Callable[[Any, str, Model], QuerySet | None]
    time_field: str
    item: Callable[[Any, Model], TimelineItem]


_sources: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    """Add a stream to every timeline (a module with cases or campaigns registers its own)."""
    _sources[source.name] = source
    return source


def _display(user) -> str | None:
    return user.display_name() if user is not None else None


# ---------------------------------------------------------------------------- activities


def _activity_rows(user, entity_name: str, record: Model) -> QuerySet:
    if entity_name == "accounts":
        contacts = Contact.objects.filter(account_id=record.pk).values("id")
        where = Q(account_id=record.pk) | Q(contact_id__in=contacts)
    else:
        where = Q(**{ACTIVITY_LINKS[entity_name]: record.pk})
    qs = Activity.objects.filter(where).select_related("owner")
    return access.scope(user, "activities", "view", qs)


def _activity_item(activity: Activity, record: Model) -> TimelineItem:
    return TimelineItem(
        source="activity", kind=activity.kind, at=activity.occurred_at, id=activity.pk,
        title=activity.subject or activity.get_kind_display(), body=activity.body,
        url=f"/activities/{activity.pk}/", actor=_display(activity.owner), obj=activity,
    )


# ---------------------------------------------------------------------------- orders


def _order_rows(user, entity_name: str, record: Model) -> QuerySet | None:
    orders = registry.maybe("orders")
    if orders is None or entity_name not in ("accounts", "contacts"):
        return None
    fk = "account_id" if entity_name == "accounts" else "contact_id"
    qs = orders.model.objects.filter(**{fk: record.pk}).select_related("owner")
    return access.scope(user, "orders", "view", qs)


def _order_item(order: Any, record: Model) -> TimelineItem:
    number = order.number or f"#{order.pk}"
    return TimelineItem(
        source="order", kind="order", at=order.ordered_at, id=order.pk,
        title=_("Order %(number)s") % {"number": number},
        body=f"{order.total} {order.currency} · {order.get_status_display()}",
        url=f"/orders/{order.pk}/", actor=_display(order.owner), obj=order,
    )


# ---------------------------------------------------------------------------- changes


def _change_rows(user, entity_name: str, record: Model) -> QuerySet:
    # Seeing the record means seeing its history, including that of records merged into it.
    return AuditEntry.objects.filter(history_q(entity_name, record.pk)).select_related("actor")


def _field_label(model: type[Model], name: str) -> str:
    if name.startswith("custom."):
        return name[7:]
    if name == "tags":
        return _("tags")
    f = writable_fields(model).get(name)
    return str(f.verbose_name) if f is not None else name


def _short(value: Any) -> str:
    text = "—" if value in (None, "", []) else (
        ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    return text if len(text) <= 80 else text[:79] + "…"


def _change_item(entry: AuditEntry, record: Model) -> TimelineItem:
    model = registry.get(entry.entity).model
    changes = entry.changes or {}
    body = ""
    if entry.operation == "create":
        title = _("Created")
    elif entry.operation == "update":
        labels = [_field_label(model, name) for name in changes]
        title = _("Changed %(fields)s") % {"fields": ", ".join(labels)}
        body = "\n".join(
            f"{_field_label(model, name)}: {_short(pair[0])} → {_short(pair[1])}"
            for name, pair in list(changes.items())[:20]
            if isinstance(pair, list) and len(pair) == 2
        )
    elif entry.operation == "delete":
        title = _("Moved to the recycle bin")
    elif entry.operation == "restore":
        title = _("Restored from the recycle bin")
    elif entry.operation == "merge" and "merged_into" in changes:
        title = _("Merged into #%(id)s") % {"id": changes["merged_into"]}
    elif entry.operation == "merge":
        merged = ", ".join(f"#{pk}" for pk in changes.get("merged_ids", []))
        title = _("Merged %(records)s into this record") % {"records": merged}
        fields = changes.get("fields") or {}
        body = "\n".join(f"{_field_label(model, name)}: #{pk}" for name, pk in fields.items())
    else:
        title = entry.get_operation_display()
    if entry.record_id != record.pk:
        title = _("%(title)s (merged record #%(id)s)") % {"title": title, "id": entry.record_id}
    return TimelineItem(
        source="change", kind="change", at=entry.at, id=entry.pk, title=str(title), body=body,
        url=None, actor=_display(entry.actor), obj=entry,
    )


register_source(Source("activity", _activity_rows, "occurred_at", _activity_item))
register_source(Source("order", _order_rows, "ordered_at", _order_item))
register_source(Source("change", _change_rows, "at", _change_item))


# ---------------------------------------------------------------------------- the timeline


def _below(source: Source, cursor: tuple[dt.datetime, str, int]) -> Q:
    """Rows of `source` whose (at, source, id) sorts strictly below the cursor."""
    at, name, pk = cursor
    field = source.time_field
    if source.name < name:
        return Q(**{f"{field}__lte": at})
    if source.name > name:
        return Q(**{f"{field}__lt": at})
    return Q(**{f"{field}__lt": at}) | Q(**{field: at, "pk__lt": pk})


def _parse_cursor(cursor: str) -> tuple[dt.datetime, str, int]:
    at, name, pk = decode_cursor(cursor, 3)
    if not (isinstance(at, dt.datetime) and at.tzinfo and isinstance(name, str)
            and isinstance(pk, int)):
        raise CursorError("Invalid cursor.")
    return at, name, pk


def visible_record(user, entity_name: str, record_id: int) -> Model:
    """The live record `record_id` (of an entity with a timeline) if the user may see it;
    Http404 otherwise."""
    if entity_name not in TIMELINE_ENTITIES:
        raise LookupError(f"No timeline for '{entity_name}'.")
    model = registry.get(entity_name).model
    record = access.scope(user, entity_name, "view", model.objects.filter(pk=record_id)).first()
    if record is None:
        raise Http404
    return record


def timeline(user, entity_name: str, record_id: int, cursor: str | None = None,
             limit: int = 30) -> tuple[list[TimelineItem], str | None]:
    """One page of the timeline of an account, contact, lead or opportunity, newest first.

    An account's timeline has its activities and those of its contacts, its orders and its
    changes; a contact's has its own activities, orders and changes. Only what `user` may
    see. Raises Http404 when the record is not visible, CursorError for a bad cursor.
    """
    limit = max(1, min(int(limit), MAX_LIMIT))
    record = visible_record(user, entity_name, record_id)
    after = _parse_cursor(cursor) if cursor else None
    candidates: list[TimelineItem] = []
    for source in _sources.values():
        rows = source.rows(user, entity_name, record)
        if rows is None:
            continue
        if after is not None:
            rows = rows.filter(_below(source, after))
        field = source.time_field
        candidates += [source.item(obj, record)
                       for obj in rows.order_by(f"-{field}", "-pk")[:limit + 1]]
    candidates.sort(key=lambda item: item.key, reverse=True)
    page = candidates[:limit]
    next_cursor = encode_cursor(list(page[-1].key)) if len(candidates) > limit else None
    return page, next_cursor


# ---------------------------------------------------------------------------- tasks


def open_tasks(user, *, due_before: dt.datetime | None = None, limit: int = 50
               ) -> list[Activity]:
    """The user's open tasks, soonest due first (for a dashboard or a to-do list)."""
    qs = Activity.objects.filter(kind="task", done=False, owner_id=user.pk)
    if due_before is not None:
        qs = qs.filter(due_at__lte=due_before)
    qs = access.scope(user, "activities", "view", qs)
    return list(qs.select_related("contact", "account").order_by("due_at", "id")[:limit])
