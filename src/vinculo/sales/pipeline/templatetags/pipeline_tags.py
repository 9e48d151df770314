"""Template helpers of the board and the forecast: money in short form, durations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "MXN": "MX$", "BRL": "R$"}


def money_text(amount: Any, currency: str = "", places: int = 0) -> str:
    """`12,345 €` (or `$12,345`) with the active language's grouping."""
    if amount is None:
        return "—"
    number = formats.number_format(Decimal(amount), decimal_pos=places, use_l10n=True,
                                   force_grouping=True)
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{number} {currency}".strip()
    return f"{symbol}{number}" if currency in ("USD", "GBP", "MXN", "BRL") else f"{number} {symbol}"


@register.filter
def money(amount: Any, currency: str = "") -> str:
    return money_text(amount, currency)


@register.simple_tag
def money_of(value: Any, currency: str) -> str:
    """A `selectors.Money`: the base amount, then what could not be converted."""
    parts = [money_text(value.base, currency)]
    parts += [money_text(amount, code) for code, amount in sorted(value.other.items())]
    return " + ".join(parts)


@register.filter
def duration(seconds: Any) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)dh %(m)dm") % {"h": hours, "m": minutes}
    return _("%(m)dm") % {"m": minutes}


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.0f} %"


@register.filter
def bar(value: Any, maximum: Any) -> int:
    """A bar's width in percent (0–100) of `value` against `maximum`."""
    try:
        value, maximum = float(value), float(maximum)
    except (TypeError, ValueError):
        return 0
    if maximum <= 0:
        return 0
    return max(0, min(100, round(value * 100 / maximum)))
