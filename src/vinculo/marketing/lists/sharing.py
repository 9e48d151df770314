"""Sharing a list with an outside partner: a signed, expiring, revocable link to a read-only
page (and a download), every access logged. The partner sees the list's records that the
link's creator may see, only in the fields the link allows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .models import ShareAccess, ShareLink, StaticList

SALT = "vinculo.lists.share"
MAX_DAYS = 365
DEFAULT_DAYS = 30

# what a partner may be shown, per entity: key -> (label, how to read it)
SHARE_FIELDS: dict[str, dict[str, Any]] = {
    "contacts": {
        "first_name": gettext_lazy("First name"), "last_name": gettext_lazy("Last name"),
        "email": gettext_lazy("Email"), "phone": gettext_lazy("Phone"),
        "mobile": gettext_lazy("Mobile"), "title": gettext_lazy("Job title"),
        "company": gettext_lazy("Company"), "street": gettext_lazy("Street"),
        "city": gettext_lazy("City"), "region": gettext_lazy("Region"),
        "postal_code": gettext_lazy("Postal code"), "country": gettext_lazy("Country"),
    },
    "leads": {
        "first_name": gettext_lazy("First name"), "last_name": gettext_lazy("Last name"),
        "company": gettext_lazy("Company"), "email": gettext_lazy("Email"),
        "phone": gettext_lazy("Phone"), "title": gettext_lazy("Job title"),
        "street": gettext_lazy("Street"), "city": gettext_lazy("City"),
        "region": gettext_lazy("Region"), "postal_code": gettext_lazy("Postal code"),
        "country": gettext_lazy("Country"),
    },
    "accounts": {
        "name": gettext_lazy("Name"), "domain": gettext_lazy("Domain"),
        "phone": gettext_lazy("Phone"), "website": gettext_lazy("Website"),
        "industry": gettext_lazy("Industry"), "street": gettext_lazy("Street"),
        "city": gettext_lazy("City"), "region": gettext_lazy("Region"),
        "postal_code": gettext_lazy("Postal code"), "country": gettext_lazy("Country"),
    },
}
DEFAULT_FIELDS = {
    "contacts": ["first_name", "last_name", "company", "email", "city", "country"],
    "leads": ["first_name", "last_name", "company", "email", "city", "country"],
    "accounts": ["name", "city", "country", "website"],
}


class LinkRefused(Exception):
    """The link cannot be used; `status` is 404 (unknown or tampered) or 410 (gone)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def token_for(link: ShareLink) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{link.pk}-{link.nonce}")


def url_for(link: ShareLink) -> str:
    return f"/shared/lists/{token_for(link)}/"


def field_value(obj: Any, key: str) -> Any:
    if key == "company" and not hasattr(obj, "company"):
        account = getattr(obj, "account", None)
        return account.name if account is not None else ""
    return getattr(obj, key, "")


def create_link(user: Any, static_list: StaticList, data: dict[str, Any]) -> ShareLink:
    """Make a share link; a ValidationError names the field at fault."""
    partner = (data.get("partner_name") or "").strip()
    if not partner:
        raise ValidationError({"partner_name": [_("Name the partner you share with.")]})
    allowed = SHARE_FIELDS[static_list.entity]
    fields = data.get("fields") or DEFAULT_FIELDS[static_list.entity]
    unknown = [f for f in fields if f not in allowed]
    if unknown:
        raise ValidationError({"fields": [
            _("Unknown field %(field)s: choose among %(names)s.")
            % {"field": unknown[0], "names": ", ".join(allowed)}]})
    now = timezone.now()
    expires_at = data.get("expires_at")
    if expires_at is None:
        days = data.get("days", DEFAULT_DAYS)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
            raise ValidationError({"days": [_("Between 1 and %(n)d days.") % {"n": MAX_DAYS}]})
        expires_at = now + dt.timedelta(days=days)
    elif expires_at <= now:
        raise ValidationError({"expires_at": [_("The expiry must be in the future.")]})
    elif expires_at > now + dt.timedelta(days=MAX_DAYS):
        raise ValidationError({"expires_at": [
            _("A link lasts at most %(n)d days.") % {"n": MAX_DAYS}]})
    return ShareLink.objects.create(
        list=static_list, partner_name=partner[:200],
        partner_email=(data.get("partner_email") or "").strip()[:254],
        fields=list(dict.fromkeys(fields)), allow_download=bool(data.get("allow_download", True)),
        expires_at=expires_at, nonce=services.new_nonce(), created_by=user, created_at=now)


def revoke(link: ShareLink) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=link.revoked_at)
    return link


def resolve(token: str) -> ShareLink:
    """The link a token designates, if it may still be used; else LinkRefused. Reading a
    token changes nothing."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token)
    except signing.BadSignature:
        raise LinkRefused(_("This link is not valid. Check that you copied it whole."),
                          404) from None
    pk, _sep, nonce = value.partition("-")
    link = (ShareLink.objects.select_related("list", "created_by")
            .filter(pk=int(pk) if pk.isdigit() else 0, nonce=nonce).first())
    if link is None:
        raise LinkRefused(_("This link is not valid. Check that you copied it whole."), 404)
    if link.revoked_at is not None:
        raise LinkRefused(_("This link has been withdrawn by the person who shared it."), 410)
    if link.expires_at <= timezone.now():
        raise LinkRefused(_("This link expired on %(date)s. Ask for a new one.")
                          % {"date": timezone.localtime(link.expires_at).date().isoformat()},
                          410)
    return link


def shared_records(link: ShareLink) -> QuerySet:
    """The list's records as its sharer may see them, oldest member first by id."""
    qs = selectors.members(link.created_by, link.list)
    if link.list.entity == "contacts":
        qs = qs.select_related("account")
    return qs.order_by("id")


def log(link: ShareLink, request: Any, kind: str) -> ShareAccess:
    forwarded = request.META.get("REMOTE_ADDR") or None
    return ShareAccess.objects.create(
        link=link, ip=forwarded, kind=kind,
        user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:300])


def rows(link: ShareLink, records: Any) -> list[list[Any]]:
    return [[field_value(obj, key) for key in link.fields] for obj in records]


def headers(link: ShareLink) -> list[str]:
    labels = SHARE_FIELDS[link.list.entity]
    return [str(labels[key]) for key in link.fields]
