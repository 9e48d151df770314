"""vCard ↔ contact, reusing the import/export mapping (platform/importexport/vcard.py).

A card sent by a device replaces the contact's card fields: a field the card no longer has is
cleared (its phone removed on the phone is removed in the CRM); fields a card does not carry
(lifecycle stage, consent, scores…) are left alone. ORG links the contact to an account the
user can see with that name; no account is created from a phone — an unknown ORG is kept
with the card and sent back as it came.
"""

from __future__ import annotations

from typing import Any

import vobject
from django.utils.translation import gettext as _

from vinculo.customers.models import normalized_company_name
from vinculo.platform import access
from vinculo.platform.importexport import countries
from vinculo.platform.importexport.vcard import card_values

MAX_CARD_BYTES = 256 * 1024
CARD_FIELDS = {
    "first_name": "", "last_name": "", "email": "", "phone": "", "mobile": "", "title": "",
    "street": "", "city": "", "region": "", "postal_code": "", "country": "",
    "birthdate": None, "description": "",
}


class Unparseable(Exception):
    """The body is not one vCard / iCalendar object we can read (HTTP 400)."""


def uid_of(contact_id: int) -> str:
    return f"vinculo-contact-{contact_id}"


def render(contact: Any, tags: list[str], account_name: str, uid: str, organization: str = ""
           ) -> str:
    """One contact as a vCard 3.0 — the fields of the import/export mapping, written directly
    (a full address book is thousands of cards; building each with vobject is 4x slower)."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"UID:{escape_text(uid)}",
             f"N:{escape_text(contact.last_name or '')};{escape_text(contact.first_name or '')}"
             ";;;",
             "FN:" + escape_text(f"{contact.first_name} {contact.last_name}".strip()
                                 or contact.email or f"#{contact.pk}")]
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{escape_text(contact.email)}")
    if contact.phone:
        lines.append(f"TEL;TYPE=WORK:{escape_text(contact.phone)}")
    if contact.mobile:
        lines.append(f"TEL;TYPE=CELL:{escape_text(contact.mobile)}")
    org = account_name or organization
    if org:
        lines.append(f"ORG:{escape_text(org)}")
    if contact.title:
        lines.append(f"TITLE:{escape_text(contact.title)}")
    address = (contact.street, contact.city, contact.region, contact.postal_code, contact.country)
    if any(address):
        lines.append("ADR;TYPE=WORK:;;" + ";".join(escape_text(v or "") for v in address))
    if contact.birthdate:
        lines.append(f"BDAY:{contact.birthdate.isoformat()}")
    if contact.description:
        lines.append(f"NOTE:{escape_text(contact.description)}")
    if tags:
        lines.append("CATEGORIES:" + ",".join(escape_text(t) for t in tags))
    lines.append("END:VCARD")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 sequence."""
    if len(line) <= 75 and line.isascii():
        return line
    if len(line.encode()) <= 75:
        return line
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > (75 if not parts else 74):
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def parse(body: bytes) -> tuple[dict[str, Any], str, str]:
    """(contact values, UID, ORG text) of a vCard 3.0/4.0 body, or Unparseable."""
    if len(body) > MAX_CARD_BYTES:
        raise Unparseable(_("This card is too large."))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unparseable(_("The card is not UTF-8 text.")) from exc
    if "BEGIN:VCARD" not in text.upper():
        raise Unparseable(_("The body is not a vCard (no BEGIN:VCARD)."))
    try:
        card = vobject.readOne(text)
        if card.name.upper() != "VCARD":
            raise Unparseable(_("The body is not a vCard."))
        kind = " ".join(str(line.value) for name in ("kind", "x-addressbookserver-kind")
                        for line in card.contents.get(name, [])).lower()
        if "group" in kind or "org" in kind.split():
            raise Unparseable(_("Contact groups and organisation cards are not kept in "
                                "Vínculo: add people, and their company as ORG."))
        values = card_values(card)
    except Unparseable:
        raise
    except Exception as exc:  # vobject raises many kinds on bad input
        raise Unparseable(_("This card cannot be read: %(error)s.") % {
            "error": str(exc)[:200]}) from exc
    uid = str(card.uid.value).strip() if "uid" in card.contents else ""
    organization = values.pop("account_name", "")
    data: dict[str, Any] = {**CARD_FIELDS, **values}
    data["tags"] = values.get("tags", [])
    if data["country"]:
        data["country"] = countries.to_code(data["country"]) or ""
    for key, limit in (("first_name", 100), ("last_name", 100), ("title", 120),
                       ("street", 200), ("city", 100), ("region", 100), ("postal_code", 20),
                       ("phone", 40), ("mobile", 40)):
        data[key] = (data[key] or "")[:limit]
    return data, uid[:255], organization[:200]


def account_for(user: Any, organization: str) -> int | None:
    """The id of the account the user may see named `organization`, if exactly one."""
    if not organization:
        return None
    normalized = normalized_company_name(organization)
    ids = list(access.scope(user, "accounts", "view").filter(
        name_normalized=normalized).values_list("id", flat=True)[:2])
    return ids[0] if len(ids) == 1 else None
