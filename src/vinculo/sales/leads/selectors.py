"""Reads of the leads module: duplicates of a lead and the candidates for its conversion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Model, Q

from vinculo.customers.models import (
    Account,
    Contact,
    normalized_company_name,
    normalized_person_name,
)
from vinculo.customers.selectors import normalized_domain
from vinculo.platform import access

from .models import Lead

MAX_DUPLICATES = 20
MAX_CANDIDATES = 10
# Addresses of these providers say nothing about the company someone works for.
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.es", "outlook.com", "outlook.es",
    "live.com", "msn.com", "yahoo.com", "yahoo.es", "ymail.com", "icloud.com", "me.com",
    "aol.com", "gmx.com", "gmx.es", "protonmail.com", "proton.me", "telefonica.net",
})


@dataclass(frozen=True)
class Match:
    """A lead or contact that may be the same person, and why ("email", "phone", "name")."""

    entity: str
    record: Model
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        record = self.record
        if self.entity == "leads":
            subtitle = " · ".join(x for x in (record.company, record.email) if x)
        else:
            subtitle = " · ".join(x for x in (record.email, getattr(record.account, "name", ""))
                                  if x)
        return {"entity": self.entity, "id": record.pk, "title": str(record),
                "subtitle": subtitle, "reasons": list(self.reasons),
                "url": f"/{self.entity}/{record.pk}/"}


def _person_key(lead: Lead) -> tuple[str, str]:
    return (normalized_person_name(lead.first_name or "", lead.last_name or ""),
            normalized_company_name(lead.company or ""))


def lead_duplicates(user, lead: Lead, *, limit: int = MAX_DUPLICATES) -> list[Match]:
    """Leads and contacts the user may see with the same email, the same phone in E.164, or
    the same name (without accents or case) at the same company."""
    email = (lead.email or "").strip().lower()
    phone = lead.phone_e164
    name, company = _person_key(lead)
    found: list[Match] = []

    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if phone:
        match |= Q(phone_e164=phone)
    if name and company:
        match |= Q(name_normalized=name, company_normalized=company)
    leads = Lead.objects.filter(match)
    if lead.pk:
        leads = leads.exclude(pk=lead.pk)
    for other in access.scope(user, "leads", "view", leads).order_by("id")[:limit]:
        reasons = []
        if email and other.email == email:
            reasons.append("email")
        if phone and other.phone_e164 == phone:
            reasons.append("phone")
        if name and company and (other.name_normalized, other.company_normalized) == (
                name, company):
            reasons.append("name")
        found.append(Match("leads", other, tuple(reasons)))

    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if phone:
        match |= Q(phone_e164=phone) | Q(mobile_e164=phone)
    if name and company:
        match |= Q(name_normalized=name, account__name_normalized=company)
    contacts = Contact.objects.filter(match).select_related("account")
    if lead.converted_contact_id:
        contacts = contacts.exclude(pk=lead.converted_contact_id)
    for other in access.scope(user, "contacts", "view", contacts).order_by("id")[:limit]:
        reasons = []
        if email and other.email == email:
            reasons.append("email")
        if phone and phone in (other.phone_e164, other.mobile_e164):
            reasons.append("phone")
        if name and company and other.name_normalized == name and other.account and (
                other.account.name_normalized == company):
            reasons.append("name")
        found.append(Match("contacts", other, tuple(reasons)))
    found.sort(key=lambda m: (-len(m.reasons), m.entity != "contacts", m.record.pk))
    return found[:limit]


# ---------------------------------------------------------------------------- conversion


def lead_domain(lead: Lead) -> str:
    """The company's web domain: from the website, else from a business email address."""
    if lead.website:
        host = urlsplit(lead.website if "//" in lead.website else f"//{lead.website}").hostname
        if host:
            return normalized_domain(host)
    domain = (lead.email or "").rpartition("@")[2].lower()
    return "" if not domain or domain in FREE_MAIL else domain


def account_candidates(user, lead: Lead, *, limit: int = MAX_CANDIDATES) -> list[Account]:
    """Accounts the user may see with the lead's company name or domain, best first."""
    name = normalized_company_name(lead.company or "")
    domain = lead_domain(lead)
    match = Q(pk__in=[])
    if name:
        match |= Q(name_normalized=name)
    if domain:
        match |= Q(domain=domain)
    if not (name or domain):
        return []
    qs = access.scope(user, "accounts", "view", Account.objects.filter(match)).order_by("id")
    rows = list(qs[:limit])
    rows.sort(key=lambda a: (-((a.name_normalized == name) + (bool(domain) and a.domain == domain)),
                             a.pk))
    return rows


def contact_candidates(user, lead: Lead, *, limit: int = MAX_CANDIDATES) -> list[Contact]:
    """Contacts the user may see with the lead's email or phone, best first."""
    email = (lead.email or "").strip().lower()
    phone = lead.phone_e164
    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if phone:
        match |= Q(phone_e164=phone) | Q(mobile_e164=phone)
    if not (email or phone):
        return []
    qs = access.scope(user, "contacts", "view",
                      Contact.objects.filter(match).select_related("account")).order_by("id")
    rows = list(qs[:limit])
    rows.sort(key=lambda c: (not (email and c.email == email), c.pk))
    return rows
