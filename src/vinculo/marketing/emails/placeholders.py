"""A tiny placeholder language for e-mail templates — never a template engine.

    {{ first_name }}              the contact's first name ("" when empty)
    {{ first_name | "there" }}    with a fallback when empty
    {{ first_name|default:"amigo" }}

Only the fields in FIELDS exist; anything else between {{ }} is refused when the template
is saved. Values (and fallbacks) are HTML-escaped in HTML bodies."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.html import escape

FIELDS: dict[str, Callable[[Any], Any]] = {
    "first_name": lambda c: c.first_name,
    "last_name": lambda c: c.last_name,
    "full_name": lambda c: f"{c.first_name} {c.last_name}".strip(),
    "email": lambda c: c.email,
    "title": lambda c: c.title,
    "city": lambda c: c.city,
    "region": lambda c: c.region,
    "country": lambda c: c.country,
    "account_name": lambda c: c.account.name if c.account_id else "",
    "account_city": lambda c: getattr(c.account, "city", "") if c.account_id else "",
    "account_website": lambda c: getattr(c.account, "website", "") if c.account_id else "",
}

SPAN = re.compile(r"\{\{(.*?)\}\}", re.S)
INNER = re.compile(r'^\s*([a-z_][a-z0-9_]*)\s*(?:\|\s*(?:default\s*:\s*)?"([^"{}]*)"\s*)?$')


def problems(text: str) -> list[str]:
    """The placeholders in `text` that are unknown or malformed (as written)."""
    bad = []
    for span in SPAN.finditer(text or ""):
        match = INNER.match(span.group(1))
        if match is None or match.group(1) not in FIELDS:
            bad.append(span.group(0)[:80])
    if "{{" in SPAN.sub("", text or ""):
        bad.append("{{")
    return bad


def values_for(contact: Any) -> dict[str, str]:
    out = {}
    for name, getter in FIELDS.items():
        try:
            value = getter(contact)
        except Exception:  # noqa: BLE001 - a missing related row reads as empty
            value = ""
        out[name] = "" if value is None else str(value)
    return out


def render(text: str, values: dict[str, str], *, html: bool = False) -> str:
    """Replace each placeholder by its value (or its fallback); unknown ones by nothing."""

    def one(span: re.Match) -> str:
        match = INNER.match(span.group(1))
        if match is None or match.group(1) not in FIELDS:
            return ""
        value = values.get(match.group(1), "").strip() or (match.group(2) or "")
        return str(escape(value)) if html else value

    return SPAN.sub(one, text or "")
