"""Writes of the customer portal: sign-in links (rate-limited, single use, short-lived),
cases opened and replies sent by customers, and the access settings staff manage."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.channels import sender
from vinculo.customers.models import Contact
from vinculo.platform import records
from vinculo.service.models import Case, Status

from . import selectors
from .models import PortalAccess, SignInLink, SignInRequest

logger = logging.getLogger(__name__)

LINK_LIFETIME = dt.timedelta(minutes=15)
RATE_WINDOW = dt.timedelta(minutes=15)
MAX_PER_ADDRESS = 5
MAX_PER_IP = 20
REOPEN = (Status.PENDING, Status.RESOLVED)


class RateLimited(Exception):
    pass


class LinkRefused(Exception):
    """A sign-in link that does not (or no longer) work; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid", "used" or "expired"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def email_key(email: str) -> str:
    return _hash("portal-email:" + email.strip().lower())


def request_link(email: str, ip: str | None, language: str) -> None:
    """Record the request and, when a contact may sign in with that address, send a link.
    The caller answers the same either way; only the rate limit shows."""
    key = email_key(email)
    since = timezone.now() - RATE_WINDOW
    with transaction.atomic():
        by_address = SignInRequest.objects.filter(email_hash=key, at__gte=since).count()
        by_ip = SignInRequest.objects.filter(ip=ip, at__gte=since).count() if ip else 0
        if by_address >= MAX_PER_ADDRESS or by_ip >= MAX_PER_IP:
            raise RateLimited
        SignInRequest.objects.create(email_hash=key, ip=ip)
    contact = selectors.contact_for_email(email)
    if contact is None:
        return
    from . import tasks

    transaction.on_commit(lambda: tasks.send_sign_in_link.enqueue(contact.pk, language, ip))


def send_link(contact: Contact, language: str, ip: str | None) -> SignInLink:
    """Make a link and e-mail it over the configured outbound mail server."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = SignInLink.objects.create(contact=contact, token_hash=_hash(token), ip=ip,
                                     created_at=now, expires_at=now + LINK_LIFETIME)
    url = f"{sender.site_url()}/portal/login/{token}/"
    with translation.override(language if language in ("en", "es") else settings.LANGUAGE_CODE):
        subject = _("Your sign-in link")
        text = _("Hello %(name)s,\n\nSign in to the customer portal with this link:\n\n%(url)s"
                 "\n\nIt works once, within %(minutes)s minutes. If you did not ask for it, "
                 "ignore this message.") % {
            "name": contact.first_name or contact.email, "url": url,
            "minutes": int(LINK_LIFETIME.total_seconds() // 60)}
    sender.send_one("portal_sign_in", contact.email, subject, text=text, ref_id=contact.pk)
    return link


def check_link(token: str) -> SignInLink:
    """The link of this token if it would still sign in (nothing is used up)."""
    if not token or len(token) > 200:
        raise LinkRefused("invalid")
    link = SignInLink.objects.filter(token_hash=_hash(token)).select_related("contact").first()
    if link is None:
        raise LinkRefused("invalid")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= timezone.now():
        raise LinkRefused("expired")
    return link


def use_link(token: str) -> Contact:
    """Use a link up (exactly once, even under concurrent requests) and return its contact."""
    link = check_link(token)
    now = timezone.now()
    taken = SignInLink.objects.filter(pk=link.pk, used_at__isnull=True,
                                      expires_at__gt=now).update(used_at=now)
    if not taken:
        raise LinkRefused("used")
    contact = link.contact
    if contact.deleted_at is not None or not selectors.access_of(contact).enabled:
        raise LinkRefused("invalid")
    return contact


def sign_in(request, contact: Contact) -> None:
    """Start a portal session: a fresh session key, the contact id under the portal's own key;
    no staff user is signed in."""
    request.session.cycle_key()
    request.session[selectors.SESSION_KEY] = contact.pk


def sign_out(request) -> None:
    request.session.pop(selectors.SESSION_KEY, None)
    request.session.cycle_key()


# ------------------------------------------------------------------------------ cases


def open_case(contact: Contact, subject: str, description: str) -> Case:
    return records.create("cases", {
        "subject": subject, "description": description, "channel": "portal",
        "contact_id": contact.pk, "account_id": contact.account_id,
    }, actor=None, source="portal")


def reply(contact: Contact, case: Case, body: str):
    """The customer's reply: an inbound message on the case and the customer's timeline; a
    case waiting on the customer (or resolved) opens again."""
    with transaction.atomic():
        activity = records.create("activities", {
            "kind": "chat", "direction": "inbound", "subject": case.subject[:300],
            "body": body, "case_id": case.pk, "contact_id": contact.pk,
            "account_id": case.account_id or contact.account_id,
            "owner_id": case.owner_id,
        }, actor=None, source="portal")
        if case.status in REOPEN:
            records.update(case, {"status": Status.OPEN}, actor=None, source="portal")
    return activity


def set_access(contact: Contact, *, enabled: bool | None = None,
               account_wide: bool | None = None, actor=None) -> PortalAccess:
    row, _created = PortalAccess.objects.get_or_create(contact=contact)
    if enabled is not None:
        row.enabled = enabled
    if account_wide is not None:
        row.account_wide = account_wide
    row.updated_at, row.updated_by = timezone.now(), actor
    row.save()
    if not row.enabled:
        SignInLink.objects.filter(contact=contact, used_at__isnull=True).update(
            used_at=timezone.now())
    return row
