"""vCard (3.0 and 4.0 in, 3.0 out) for contacts, with the `vobject` package.

FN/N → names, EMAIL, TEL (cell → mobile, others → phone), ORG → account by name, TITLE,
ADR, BDAY, NOTE, CATEGORIES → tags.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import IO, Any

import vobject
from django.utils.translation import gettext as _

MAX_CARD_LINES = 10_000


def read_cards(text: IO[str]) -> Iterator[tuple[int, Any, str | None]]:
    """(card number, parsed card or None, error or None) for each BEGIN:VCARD … END:VCARD,
    so that one malformed card does not stop the others."""
    number, lines, inside = 0, [], False
    for line in text:
        marker = line.strip().upper()
        if marker == "BEGIN:VCARD":
            if inside:
                yield number, None, _("This card is not closed with END:VCARD.")
            number, lines, inside = number + 1, [line], True
            continue
        if not inside:
            continue
        lines.append(line)
        if marker == "END:VCARD":
            inside = False
            try:
                yield number, vobject.readOne("".join(lines)), None
            except Exception as exc:  # vobject raises many kinds on bad input
                yield number, None, _("This card cannot be read: %(error)s.") % {
                    "error": str(exc)[:200]}
        elif len(lines) > MAX_CARD_LINES:
            inside = False
            yield number, None, _("This card is too long.")
    if inside:
        yield number, None, _("This card is not closed with END:VCARD.")


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value if v).strip()
    return str(value or "").strip()


def _types(line: Any) -> set[str]:
    found = set()
    for value in line.params.get("TYPE", []):
        found.update(v.strip().lower() for v in str(value).split(","))
    return found


def _pick(lines: list[Any], preferred: tuple[str, ...]) -> Any | None:
    for wanted in preferred:
        for line in lines:
            if wanted in _types(line):
                return line
    return lines[0] if lines else None


def _birthday(value: str) -> str:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value[:10] if "-" in value else value[:8],
                                        pattern).date().isoformat()
        except ValueError:
            continue
    return value  # reported by the row's date check, like any other bad date


def card_values(card: Any) -> dict[str, Any]:
    """A card as a row keyed by contact field names (and `account_name` for ORG)."""
    contents = card.contents
    values: dict[str, Any] = {}
    if "n" in contents:
        name = card.n.value
        values["first_name"] = _text([name.given, name.additional])
        values["last_name"] = _text(name.family)
    if not values.get("first_name") and not values.get("last_name") and "fn" in contents:
        full = _text(card.fn.value)
        first, _sep, last = full.partition(" ")
        values["first_name"], values["last_name"] = first, last
    email = _pick(contents.get("email", []), ("pref", "work", "internet"))
    if email is not None:
        values["email"] = _text(email.value)
    phones = contents.get("tel", [])
    mobiles = [t for t in phones if _types(t) & {"cell", "mobile"}]
    others = [t for t in phones if t not in mobiles]
    if mobiles:
        values["mobile"] = re.sub(r"^tel:", "", _text(mobiles[0].value))
    phone = _pick(others, ("work", "pref", "voice"))
    if phone is not None:
        values["phone"] = re.sub(r"^tel:", "", _text(phone.value))
    if "org" in contents:
        org = card.org.value
        values["account_name"] = _text(org[0] if isinstance(org, list) and org else org)
    if "title" in contents:
        values["title"] = _text(card.title.value)
    address = _pick(contents.get("adr", []), ("work", "pref"))
    if address is not None:
        adr = address.value
        values.update(street=_text(adr.street), city=_text(adr.city),
                      region=_text(adr.region), postal_code=_text(adr.code),
                      country=_text(adr.country))
    if "bday" in contents:
        values["birthdate"] = _birthday(_text(card.bday.value))
    if "note" in contents:
        values["description"] = _text(card.note.value)
    tags: list[str] = []
    for line in contents.get("categories", []):
        value = line.value
        tags.extend(v.strip() for v in (value if isinstance(value, list) else [value]) if v)
    if tags:
        values["tags"] = tags
    return {k: v for k, v in values.items() if v not in ("", None, [])}


def contact_card(contact: Any, tags: list[str], account_name: str = "") -> str:
    """One contact as a vCard 3.0."""
    card = vobject.vCard()
    card.add("uid").value = f"vinculo-contact-{contact.pk}"
    card.add("n").value = vobject.vcard.Name(family=contact.last_name or "",
                                             given=contact.first_name or "")
    card.add("fn").value = (f"{contact.first_name} {contact.last_name}".strip()
                            or contact.email or f"#{contact.pk}")
    if contact.email:
        line = card.add("email")
        line.value, line.type_param = contact.email, "INTERNET"
    for value, kind in ((contact.phone, "WORK"), (contact.mobile, "CELL")):
        if value:
            line = card.add("tel")
            line.value, line.type_param = value, kind
    if account_name:
        card.add("org").value = [account_name]
    if contact.title:
        card.add("title").value = contact.title
    if any((contact.street, contact.city, contact.region, contact.postal_code, contact.country)):
        line = card.add("adr")
        line.value = vobject.vcard.Address(street=contact.street, city=contact.city,
                                           region=contact.region, code=contact.postal_code,
                                           country=contact.country)
        line.type_param = "WORK"
    if contact.birthdate:
        card.add("bday").value = contact.birthdate.isoformat()
    if contact.description:
        card.add("note").value = contact.description
    if tags:
        card.add("categories").value = tags
    return card.serialize()
