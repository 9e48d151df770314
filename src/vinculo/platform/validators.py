"""Validators shared by the domain models."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

COUNTRY_CODES = frozenset(phonenumbers.SUPPORTED_REGIONS) | {"AQ", "BV", "HM", "PN", "TF", "UM"}


def validate_country(value: str) -> None:
    if value and value.upper() not in COUNTRY_CODES:
        raise ValidationError(
            _("Unknown country code %(value)s: use ISO 3166 alpha-2, like ES or MX."),
            params={"value": value},
        )


def to_e164(number: str, country: str = "") -> str:
    """The E.164 form of a phone number, or a ValidationError when it is not one."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number, with its country code.")) from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError(_("Enter a valid phone number, with its country code."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
