"""Template helpers of the web interface: icons, initials and small formatting aids."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Simple line icons drawn for Vínculo on a 24×24 grid (stroke: currentColor).
ICONS = {
    "dashboard": '<rect x="3" y="3" width="7" height="9" rx="1.5"/><rect x="14" y="3" width="7" '
                 'height="5" rx="1.5"/><rect x="14" y="12" width="7" height="9" rx="1.5"/>'
                 '<rect x="3" y="16" width="7" height="5" rx="1.5"/>',
    "accounts": '<rect x="4" y="3" width="16" height="18" rx="2"/><path d="M9 7h2M13 7h2M9 11h2'
                'M13 11h2M9 15h2M13 15h2M10 21v-3h4v3"/>',
    "contacts": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 3.6-6.5 8-6.5s8 2.5 8 6.5"/>',
    "activities": '<rect x="3" y="5" width="18" height="16" rx="2"/><path d="M3 10h18M8 3v4'
                  'M16 3v4M9 15l2 2 4-4"/>',
    "products": '<path d="M3 7.5 12 3l9 4.5v9L12 21l-9-4.5z"/>'
                '<path d="M3 7.5 12 12l9-4.5M12 12v9"/>',
    "orders": '<path d="M6 3h12v18l-3-2-3 2-3-2-3 2z"/><path d="M9 8h6M9 12h6M9 16h3"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5"/>',
    "settings": '<path d="M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1"/><circle cx="15" cy="6" '
                'r="2"/><circle cx="9" cy="12" r="2"/><circle cx="17" cy="18" r="2"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "filter": '<path d="M4 5h16l-6 8v6l-4-2v-4z"/>',
    "columns": '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M9 4v16M15 4v16"/>',
    "chevron-left": '<path d="m15 6-6 6 6 6"/>',
    "chevron-right": '<path d="m9 6 6 6-6 6"/>',
    "chevron-down": '<path d="m6 9 6 6 6-6"/>',
    "arrow-up": '<path d="M12 19V5M6 11l6-6 6 6"/>',
    "arrow-down": '<path d="M12 5v14M6 13l6 6 6-6"/>',
    "trash": '<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3"/>',
    "restore": '<path d="M9 14 4 9l5-5"/><path d="M4 9h10a6 6 0 0 1 0 12h-3"/>',
    "edit": '<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="m13.5 6.5 4 4"/>',
    "note": '<path d="M5 3h10l4 4v14H5z"/><path d="M15 3v4h4M9 12h6M9 16h6"/>',
    "call": '<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 '
            '6a2 2 0 0 1 2-2"/>',
    "task": '<circle cx="12" cy="12" r="9"/><path d="m8 12 3 3 5-6"/>',
    "email": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>',
    "meeting": '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c0-3.5 3-5.5 6.5-5.5s6.5 2 6.5 '
               '5.5M16 4.5a3.5 3.5 0 0 1 0 7M18 14.5c2 .6 3.5 2.5 3.5 5.5"/>',
    "chat": '<path d="M4 5h16v11H9l-5 4z"/>',
    "sms": '<rect x="6" y="2" width="12" height="20" rx="2"/><path d="M10 18h4"/>',
    "social": '<circle cx="6" cy="12" r="2.5"/><circle cx="18" cy="6" r="2.5"/><circle cx="18" '
              'cy="18" r="2.5"/><path d="m8.3 10.8 7.4-3.6M8.3 13.2l7.4 3.6"/>',
    "visit": '<path d="M12 21s7-6.5 7-12a7 7 0 0 0-14 0c0 5.5 7 12 7 12z"/><circle cx="12" cy="9" '
             'r="2.5"/>',
    "change": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "order": '<path d="M6 3h12v18l-3-2-3 2-3-2-3 2z"/><path d="M9 8h6M9 12h6M9 16h3"/>',
    "logout": '<path d="M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10"/>',
    "key": '<circle cx="8" cy="15" r="4"/><path d="m11 12 9-9M17 6l3 3"/>',
    "x": '<path d="M6 6l12 12M18 6 6 18"/>',
    "menu": '<path d="M4 6h16M4 12h16M4 18h16"/>',
    "tag": '<path d="M3 12V4h8l10 10-8 8z"/><circle cx="7.5" cy="8" r="1.5"/>',
    "download": '<path d="M12 4v12M7 11l5 5 5-5M5 20h14"/>',
    "upload": '<path d="M12 20V8M7 13l5-5 5 5M5 4h14"/>',
    "bookmark": '<path d="M6 3h12v18l-6-4-6 4z"/>',
    "more": '<circle cx="5" cy="12" r="1"/><circle cx="12" cy="12" r="1"/><circle cx="19" '
            'cy="12" r="1"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 '
             '0 18"/>',
    "lock": '<rect x="4" y="11" width="16" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
    "shield": '<path d="M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6z"/>',
    "fields": '<rect x="3" y="5" width="18" height="5" rx="1"/><rect x="3" y="14" width="18" '
              'height="5" rx="1"/>',
    "team": '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c0-3.5 3-5.5 6.5-5.5s6.5 2 6.5 5.5'
            'M16 4.5a3.5 3.5 0 0 1 0 7M18 14.5c2 .6 3.5 2.5 3.5 5.5"/>',
    "inbox": '<path d="M3 13h5l1.5 3h5l1.5-3h5"/><path d="M5 5h14l2 8v6H3v-6z"/>',
    "lead": '<circle cx="10" cy="8" r="4"/><path d="M3 20c0-4 3-6 7-6s7 2 7 6"/>'
            '<path d="M19 8v6M16 11h6"/>',
    "deal": '<circle cx="12" cy="12" r="9"/><circle cx="12" cy="12" r="5"/>'
            '<circle cx="12" cy="12" r="1"/>',
    "forecast": '<path d="M3 20h18"/><path d="m4 16 5-5 4 3 7-8"/><path d="M15 6h5v5"/>',
    "quote": '<path d="M6 3h9l4 4v14H6z"/><path d="M14 3v5h5M9 13h7M9 17h5"/>',
    "invoice": '<path d="M6 3h12v18l-3-2-3 2-3-2-3 2z"/>'
               '<path d="M12 7v8M14.5 8.5h-3.2a1.6 1.6 0 0 0 0 3.2h1.4a1.6 1.6 0 0 1 0 3.2H9.5"/>',
    "pricelist": '<path d="M3 12 12 3h9v9l-9 9z"/><circle cx="16.5" cy="7.5" r="1.5"/>',
    "segment": '<path d="M12 3a9 9 0 1 0 9 9h-9z"/><path d="M15 3.5A9 9 0 0 1 20.5 9H15z"/>',
    "list": '<path d="M9 6h11M9 12h11M9 18h11"/><circle cx="4.5" cy="6" r="1"/>'
            '<circle cx="4.5" cy="12" r="1"/><circle cx="4.5" cy="18" r="1"/>',
    "campaign": '<path d="M3 10v4h4l6 5V5L7 10z"/><path d="M17 8a5 5 0 0 1 0 8"/>',
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "alert": '<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17h0"/>',
    "check": '<path d="m5 12 5 5 9-10"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 3.6-6.5 8-6.5s8 2.5 8 6.5"/>',
}


@register.simple_tag
def icon(name: str, size: int = 16, css: str = "") -> SafeString:
    body = ICONS.get(name) or ICONS["note"]
    return format_html(
        '<svg class="icon {}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" '
        'stroke-linejoin="round" aria-hidden="true" focusable="false">{}</svg>',
        css, size, size, mark_safe(body))  # noqa: S308 - fixed strings above


@register.filter
def initials(value: Any) -> str:
    words = [w for w in str(value or "").replace("@", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "·"


@register.filter
def hue(value: Any) -> int:
    """A stable colour (0–359) for an avatar, from its text."""
    return sum(ord(c) * (i + 1) for i, c in enumerate(str(value or ""))) % 360


@register.filter
def field(form: Any, name: str) -> Any:
    try:
        return form[name]
    except KeyError:
        return None


@register.filter
def startswith(value: Any, prefix: str) -> bool:
    return str(value or "").startswith(prefix)


@register.filter
def custom_fields(form: Any) -> list:
    """The form's custom-field inputs (named `custom.<key>`)."""
    return [form[name] for name in form.fields if name.startswith("custom.")]


@register.filter
def kind_label(kind: str) -> str:
    """The name shown for a timeline item's kind: an activity kind, a change or an order."""
    from django.utils.translation import gettext, pgettext

    from vinculo.activities.models import Kind

    extra = {"change": pgettext("timeline item", "Change"), "order": gettext("Order")}
    if kind in extra:
        return extra[kind]
    try:
        return str(Kind(kind).label)
    except ValueError:
        return str(kind).replace("_", " ").capitalize()


@register.filter
def column_key(columns: list, index: int) -> str:
    return columns[index].key if 0 <= index < len(columns) else ""
