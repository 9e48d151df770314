"""Reads of the customer portal: the signed-in contact and only the records they may see —
their own, or their account's when staff allowed account-wide access."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from vinculo.activities.models import Activity
from vinculo.customers.models import Contact
from vinculo.sales.models import Invoice, Order
from vinculo.service.models import Case

from .models import PortalAccess

SESSION_KEY = "portal_contact_id"
# What a customer sees of a case's timeline: messages, never internal notes, calls or tasks.
PUBLIC_KINDS = ("email", "chat", "sms", "social")


def access_of(contact: Contact) -> PortalAccess:
    """The contact's portal settings (the defaults when staff never changed them)."""
    found = PortalAccess.objects.filter(contact=contact).first()
    return found or PortalAccess(contact=contact)


def contact_for_email(email: str) -> Contact | None:
    """The contact who signs in with this address: the oldest live one allowed in."""
    email = (email or "").strip()
    if not email:
        return None
    return (Contact.objects.filter(email__iexact=email, merged_into__isnull=True)
            .exclude(portal_access__enabled=False).order_by("pk").first())


def signed_in_contact(session) -> Contact | None:
    pk = session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    contact = Contact.objects.filter(pk=pk, merged_into__isnull=True).select_related(
        "account").first()
    if contact is None or not access_of(contact).enabled:
        return None
    return contact


def mine(contact: Contact) -> Q:
    """Records of the contact, or of their account with account-wide access."""
    cond = Q(contact_id=contact.pk)
    if contact.account_id and access_of(contact).account_wide:
        cond |= Q(account_id=contact.account_id)
    return cond


def cases(contact: Contact) -> QuerySet:
    return Case.objects.filter(mine(contact), merged_into__isnull=True)


def orders(contact: Contact) -> QuerySet:
    return Order.objects.filter(mine(contact)).exclude(status="draft")


def invoices(contact: Contact) -> QuerySet:
    return Invoice.objects.filter(mine(contact)).exclude(status="draft")


def messages(case: Case) -> QuerySet:
    return (Activity.objects.filter(case=case, kind__in=PUBLIC_KINDS)
            .order_by("occurred_at", "id"))
