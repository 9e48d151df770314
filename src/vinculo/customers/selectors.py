"""Reads of the customers module: duplicates, history across merges, hierarchy, shares."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from vinculo.platform import access, registry
from vinculo.platform.models import AuditEntry, RecordShare
from vinculo.platform.validators import to_e164

from .models import Account, Contact, normalized_company_name, normalized_person_name

MAX_DUPLICATES = 20


@dataclass(frozen=True)
class Duplicate:
    """A record that may be the same customer, and why: "email", "phone", "name", "domain"."""

    record: Model
    reasons: tuple[str, ...]


# ---------------------------------------------------------------------------- history


def _has_merges(model: type[Model]) -> bool:
    return any(f.name == "merged_into" for f in model._meta.concrete_fields)


def history_q(entity_name: str, record_id: int) -> Q:
    """Audit entries of a record and of every record merged into it."""
    model = registry.get(entity_name).model
    ids = Q(record_id=record_id)
    if _has_merges(model):
        ids |= Q(record_id__in=model.all_objects.filter(merged_into_id=record_id).values("id"))
    return Q(entity=entity_name) & ids


def history(entity_name: str, record_id: int) -> QuerySet[AuditEntry]:
    """The field-level history of a record, with that of the records merged into it; newest
    first (cursor-paginate by `-id`)."""
    return (AuditEntry.objects.filter(history_q(entity_name, record_id))
            .select_related("actor").order_by("-id"))


def merged_ids(entity_name: str, record_id: int) -> list[int]:
    model = registry.get(entity_name).model
    if not _has_merges(model):
        return []
    return list(model.all_objects.filter(merged_into_id=record_id).order_by("id")
                .values_list("id", flat=True))


# ---------------------------------------------------------------------------- duplicates


def _phones(contact: Contact) -> set[str]:
    found = set()
    for number in (contact.phone, contact.mobile):
        try:
            e164 = to_e164(number or "", contact.country or "")
        except ValidationError:
            continue
        if e164:
            found.add(e164)
    return found


def _ranked(rows: list[tuple[Model, list[str]]]) -> list[Duplicate]:
    rows.sort(key=lambda row: (-len(row[1]), row[0].pk))
    return [Duplicate(record, tuple(reasons)) for record, reasons in rows]


def contact_duplicates(user, contact: Contact, *, limit: int = MAX_DUPLICATES) -> list[Duplicate]:
    """Contacts the user may see that look like `contact` (saved or not): the same email
    (case-insensitive), a phone or mobile equal in E.164 to either of its numbers, or the same
    name without accents or case within the same account. Indexed lookups only."""
    email = (contact.email or "").strip().lower()
    phones = _phones(contact)
    name = normalized_person_name(contact.first_name or "", contact.last_name or "")
    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if phones:
        match |= Q(phone_e164__in=phones) | Q(mobile_e164__in=phones)
    if name and contact.account_id:
        match |= Q(account_id=contact.account_id, name_normalized=name)
    if not (email or phones or (name and contact.account_id)):
        return []
    qs = Contact.objects.filter(match)
    if contact.pk:
        qs = qs.exclude(pk=contact.pk)
    qs = access.scope(user, "contacts", "view", qs).prefetch_related("tags").order_by("id")
    rows = []
    for other in qs[:limit]:
        reasons = []
        if email and other.email == email:
            reasons.append("email")
        if phones & {other.phone_e164, other.mobile_e164}:
            reasons.append("phone")
        if name and contact.account_id == other.account_id and other.name_normalized == name:
            reasons.append("name")
        rows.append((other, reasons))
    return _ranked(rows)


def normalized_domain(domain: str) -> str:
    return (domain or "").strip().lower().removeprefix("www.")


def account_duplicates(user, account: Account, *, limit: int = MAX_DUPLICATES) -> list[Duplicate]:
    """Accounts the user may see with the same domain or the same name (without accents, case,
    punctuation or a legal form: "Acme, S.L." is "ACME")."""
    domain = normalized_domain(account.domain)
    name = normalized_company_name(account.name or "")
    match = Q(pk__in=[])
    if domain:
        match |= Q(domain=domain)
    if name:
        match |= Q(name_normalized=name)
    if not (domain or name):
        return []
    qs = Account.objects.filter(match)
    if account.pk:
        qs = qs.exclude(pk=account.pk)
    qs = access.scope(user, "accounts", "view", qs).prefetch_related("tags").order_by("id")
    rows = []
    for other in qs[:limit]:
        reasons = []
        if domain and other.domain == domain:
            reasons.append("domain")
        if name and other.name_normalized == name:
            reasons.append("name")
        rows.append((other, reasons))
    return _ranked(rows)


# ---------------------------------------------------------------------------- hierarchy


def account_children(user, account: Account) -> QuerySet[Account]:
    """The child accounts of `account` that the user may see (order and paginate them)."""
    return access.scope(user, "accounts", "view", Account.objects.filter(parent_id=account.pk))


# ---------------------------------------------------------------------------- shares


def record_shares(entity_name: str, record_id: int) -> QuerySet[RecordShare]:
    return (RecordShare.objects.filter(entity=entity_name, record_id=record_id)
            .select_related("user", "team").order_by("id"))
