"""Writes from devices: a PUT or DELETE of a card or calendar object goes through the write
pipeline (validation, audit, hooks) as the user, with the version the device last saw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.customers.models import normalized_company_name
from vinculo.platform import access, records
from vinculo.platform.api import Conflict

from . import cards, ical, selectors
from .models import MeetingDetails, Resource
from .selectors import CONTACTS, Book


@dataclass
class Written:
    record: Any
    created: bool


def _resource_row(book: Book, record_id: int, uid: str, name: str) -> Resource:
    row, _created = Resource.objects.get_or_create(
        entity=book.entity, record_id=record_id, defaults={"uid": uid, "name": name})
    return row


def _check_new(book: Book, user: Any, name: str, uid: str) -> None:
    if book.id_in_name(name) is not None:
        raise Conflict(_("This name is reserved for records made in Vínculo; choose another."))
    if uid and selectors.uid_taken(book, user, uid):
        raise Conflict(_("Another object in this collection already has this UID."))
    access.require_create(user, book.entity)


def put(book: Book, user: Any, name: str, body: bytes, existing: Any | None,
        expected_version: int | None) -> Written:
    """Create or replace the record behind `name` from a vCard / iCalendar body."""
    if book is CONTACTS:
        return _put_contact(user, name, body, existing, expected_version)
    return _put_activity(user, name, body, existing, expected_version)


def _put_contact(user: Any, name: str, body: bytes, existing: Any | None,
                 expected_version: int | None) -> Written:
    data, uid, organization = cards.parse(body)
    keep_account = bool(
        existing is not None and existing.account_id and organization
        and normalized_company_name(existing.account.name) == normalized_company_name(
            organization))
    account_id = existing.account_id if keep_account else cards.account_for(user,
                                                                             organization)
    if not keep_account:
        data["account_id"] = account_id
    unmatched = organization if account_id is None else ""
    with transaction.atomic():
        if existing is None:
            _check_new(CONTACTS, user, name, uid)
            contact = records.create("contacts", data, actor=user, source="dav")
            Resource.objects.create(entity="contacts", record_id=contact.pk,
                                    uid=uid or cards.uid_of(contact.pk), name=name,
                                    organization=unmatched)
            return Written(contact, True)
        access.require(user, existing, "change")
        row = Resource.objects.filter(entity="contacts", record_id=existing.pk).first()
        org_changed = (row.organization if row else "") != unmatched
        contact = records.update(existing, data, actor=user, expected_version=expected_version,
                                 source="dav", context={"dirty": True} if org_changed else None)
        if org_changed:
            row = row or _resource_row(CONTACTS, existing.pk, cards.uid_of(existing.pk),
                                       CONTACTS.default_name(existing.pk))
            Resource.objects.filter(pk=row.pk).update(organization=unmatched)
        return Written(contact, False)


def _details_differ(activity: Any, details: dict[str, Any] | None) -> bool:
    if details is None:
        return False
    current = MeetingDetails.objects.filter(activity=activity).first()
    if current is None:
        return bool(details["location"] or details["attendees"])
    return (current.location, current.attendees) != (details["location"], details["attendees"])


def _contact_for(user: Any, details: dict[str, Any] | None) -> int | None:
    emails = [a["email"] for a in (details or {}).get("attendees", [])]
    if not emails:
        return None
    return access.scope(user, "contacts", "view").filter(email__in=emails).order_by(
        "id").values_list("id", flat=True).first()


def _put_activity(user: Any, name: str, body: bytes, existing: Any | None,
                  expected_version: int | None) -> Written:
    data, uid, details = ical.parse(body)
    context: dict[str, Any] = {}
    if details is not None:
        context["dav_details"] = details
    with transaction.atomic():
        if existing is None:
            _check_new(selectors.CALENDAR, user, name, uid)
            data["owner_id"] = user.pk
            contact_id = _contact_for(user, details)
            if contact_id:
                data["contact_id"] = contact_id
            activity = records.create("activities", data, actor=user, source="dav",
                                      context=context)
            Resource.objects.create(entity="activities", record_id=activity.pk,
                                    uid=uid or ical.uid_of(activity.pk), name=name)
            return Written(activity, True)
        access.require(user, existing, "change")
        if _details_differ(existing, details):
            context["dirty"] = True
        activity = records.update(existing, data, actor=user, expected_version=expected_version,
                                  source="dav", context=context)
        return Written(activity, False)


def delete(user: Any, record: Any, expected_version: int | None) -> None:
    access.require(user, record, "delete")
    records.delete(record, actor=user, source="dav", expected_version=expected_version)
