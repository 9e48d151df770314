"""Reads of the address book and the calendar: members, names, sync tokens, rendered bodies.

Every read is scoped by `vinculo.platform.access`; the address book optionally further by the
user's chosen saved view; the calendar holds the user's own meetings and tasks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, QuerySet

from vinculo.activities.models import Activity
from vinculo.customers.models import Contact
from vinculo.platform import access, filters

from . import cards, ical
from .models import MeetingDetails, Preference, Resource

CALENDAR_KINDS = ("meeting", "task")


@dataclass(frozen=True)
class Book:
    """One DAV collection: the address book or the calendar."""

    entity: str
    prefix: str
    ext: str
    content_type: str

    def default_name(self, record_id: int) -> str:
        return f"{self.prefix}-{record_id}.{self.ext}"

    def default_uid(self, record_id: int) -> str:
        return cards.uid_of(record_id) if self.entity == "contacts" else ical.uid_of(record_id)

    def id_in_name(self, name: str) -> int | None:
        match = re.fullmatch(rf"{self.prefix}-(\d{{1,18}})\.{self.ext}", name)
        return int(match.group(1)) if match else None


CONTACTS = Book("contacts", "c", "vcf", "text/vcard; charset=utf-8")
CALENDAR = Book("activities", "a", "ics", "text/calendar; charset=utf-8; component=vevent")


def contacts_view(user: Any) -> Any:
    pref = Preference.objects.filter(user=user).select_related("contacts_view").first()
    return pref.contacts_view if pref else None


def records(book: Book, user: Any, *, with_deleted: bool = False) -> QuerySet:
    """The collection's records the user may see (binned ones too with `with_deleted`)."""
    if book is CONTACTS:
        base = Contact.all_objects.all() if with_deleted else Contact.objects.all()
        qs = access.scope(user, "contacts", "view", base)
        view = contacts_view(user)
        if view is not None and view.filter:
            # A view broken by a removed field shows the whole book, not an error.
            with contextlib.suppress(filters.FilterError):
                qs = qs.filter(filters.compile_filter("contacts", view.filter, user=user))
        return qs
    base = Activity.all_objects.all() if with_deleted else Activity.objects.all()
    return access.scope(user, "activities", "view", base).filter(owner=user,
                                                                  kind__in=CALENDAR_KINDS)


def sync_token(book: Book, user: Any) -> str:
    latest = records(book, user, with_deleted=True).aggregate(at=Max("updated_at"))["at"]
    return token_for(latest)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def token_for(at: dt.datetime | None) -> str:
    micros = (at - EPOCH) // MICROSECOND if at else 0
    return f"urn:vinculo:sync:{micros}"


def token_time(token: str) -> dt.datetime | None:
    """The instant of a token we issued, None for a token we did not."""
    match = re.fullmatch(r"urn:vinculo:sync:(\d{1,20})", token.strip())
    if not match:
        return None
    try:
        return EPOCH + int(match.group(1)) * MICROSECOND
    except OverflowError:
        return None


def resources(book: Book, ids: Iterable[int] | QuerySet) -> dict[int, Resource]:
    return {r.record_id: r for r in Resource.objects.filter(entity=book.entity,
                                                            record_id__in=ids)}


def name_of(book: Book, record_id: int, found: dict[int, Resource]) -> str:
    row = found.get(record_id)
    return row.name if row else book.default_name(record_id)


def members(book: Book, user: Any) -> list[tuple[str, int]]:
    """(name, version) of every record in the collection, in one query plus the names."""
    qs = records(book, user)
    rows = list(qs.values_list("id", "version").order_by("id"))
    found = resources(book, qs.values("id"))
    return [(name_of(book, pk, found), version) for pk, version in rows]


def record_id_for(book: Book, name: str) -> int | None:
    row = Resource.objects.filter(entity=book.entity, name=name).values_list(
        "record_id", flat=True).first()
    return row if row is not None else book.id_in_name(name)


def record_ids_for(book: Book, names: list[str]) -> dict[str, int]:
    """name → record id for many names at once (names nobody has are left out)."""
    found: dict[str, int] = {}
    others = []
    for name in names:
        record_id = book.id_in_name(name)
        if record_id is None:
            others.append(name)
        else:
            found[name] = record_id
    for start in range(0, len(others), 500):
        found.update(Resource.objects.filter(entity=book.entity,
                                             name__in=others[start:start + 500]).values_list(
            "name", "record_id"))
    return found


def find(book: Book, user: Any, name: str) -> Any | None:
    record_id = record_id_for(book, name)
    if record_id is None:
        return None
    return records(book, user).filter(pk=record_id).first()


def uid_taken(book: Book, user: Any, uid: str) -> bool:
    ids = list(Resource.objects.filter(entity=book.entity, uid=uid).values_list(
        "record_id", flat=True)[:50])
    default = re.fullmatch(r"vinculo-(?:contact|activity)-(\d{1,18})", uid)
    if default:
        ids.append(int(default.group(1)))
    return bool(ids) and records(book, user).filter(pk__in=ids).exists()


def load(book: Book, ids: list[int], user: Any) -> list[Any]:
    qs = records(book, user).filter(pk__in=ids)
    if book is CONTACTS:
        return list(qs.select_related("account").prefetch_related("tags"))
    return list(qs.select_related("owner"))


def bodies(book: Book, items: list[Any], found: dict[int, Resource] | None = None
           ) -> dict[int, str]:
    """id → vCard / iCalendar text, for records already loaded by `load`."""
    if found is None:
        found = resources(book, [item.pk for item in items])
    if book is CONTACTS:
        out = {}
        for contact in items:
            row = found.get(contact.pk)
            out[contact.pk] = cards.render(
                contact, [t.name for t in contact.tags.all()],
                contact.account.name if contact.account_id else "",
                row.uid if row else cards.uid_of(contact.pk),
                row.organization if row else "")
        return out
    details = {d.activity_id: d for d in MeetingDetails.objects.filter(
        activity_id__in=[a.pk for a in items])}
    out = {}
    for activity in items:
        row = found.get(activity.pk)
        extra = details.get(activity.pk)
        organizer = organizer_of(activity) if extra and extra.attendees else None
        out[activity.pk] = ical.render(activity, row.uid if row else ical.uid_of(activity.pk),
                                       extra, organizer=organizer)
    return out


def organizer_of(activity: Any) -> tuple[str, str]:
    from django.conf import settings

    owner = activity.owner
    name = (owner.get_full_name() or owner.username) if owner else ""
    email = (owner.email if owner and owner.email else settings.DEFAULT_FROM_EMAIL)
    return name, email.split("<")[-1].strip(">").strip()
