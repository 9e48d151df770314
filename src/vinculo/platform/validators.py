"""Validators shared by the domain models."""

from __future__ import annotations

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

COUNTRY_CODES = frozenset(phonenumbers.SUPPORTED_REGIONS) | {"AQ", "BV", "HM", "PN", "TF", "UM"}


def validate_country(value: str) -> None:
    if value and value.upper() not in COUNTRY_CODES:
        raise ValidationError(
            _("Unknown country code %(value)s: use ISO 3166 alpha-2, like ES or MX."),
            params={"value": value},
        )


INVALID_PHONE = gettext_lazy("Enter a valid phone number, with its country code.")
FORMATTING = re.compile(r"[\s().\-/]")


def _international_e164(number: str) -> str | None:
    """E.164 for a plain "+<country code> <digits>" number without parsing it in full (a
    full parse costs ~40 µs, which dominates bulk imports); None when unsure, False-y "" when
    impossible. Anything unusual falls back to the full parser."""
    compact = number.replace(" ", "")  # the usual formatting, without a regular expression
    if not compact[1:].isdigit():
        compact = FORMATTING.sub("", compact)
    if len(compact) < 4 or compact[0] != "+" or not compact[1:].isdigit():
        return None
    digits = compact[1:]
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[size:]
            if not national or national[0] == "0":
                return None  # leading zeros (Italy and others) need the full parser
            return compact if len(national) in _possible_lengths(code) else ""
    return ""


@functools.cache
def _possible_lengths(country_code: int) -> frozenset[int]:
    """The national-number lengths `phonenumbers.is_possible_number` accepts for a country
    calling code (local-only lengths included, as it does), read once from its metadata."""
    region = phonenumbers.region_code_for_country_code(country_code)
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    if metadata is None:
        return frozenset()
    general = metadata.general_desc
    return frozenset(general.possible_length or ()) | frozenset(
        general.possible_length_local_only or ())


def to_e164(number: str, country: str = "") -> str:
    """The E.164 form of a phone number, or a ValidationError when it is not one."""
    if not number:
        return ""
    quick = _international_e164(number)
    if quick is not None:
        if not quick:
            raise ValidationError(INVALID_PHONE)
        return quick
    try:
        parsed = phonenumbers.parse(number, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(INVALID_PHONE) from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError(INVALID_PHONE)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
