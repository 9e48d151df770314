"""Custom fields: definitions per entity produce validation, form fields, filters and columns.

Values live in each record's `custom` JSON column, keyed by the definition's `key`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import CustomField

T = CustomField.Type


def definitions(entity: str) -> dict[str, CustomField]:
    return {d.key: d for d in CustomField.objects.filter(entity=entity)}


def label(definition: CustomField) -> str:
    if (get_language() or "en").startswith("es") and definition.label_es:
        return definition.label_es
    return definition.label


MAX_NUMBER = decimal.Decimal("1e15")  # exact in a float, and in every JSON reader


def _number(value: Any, message: str) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, decimal.Decimal)):
        raise ValidationError(message)
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValidationError(message) from None
    if not number.is_finite():
        raise ValidationError(message)
    if abs(number) >= MAX_NUMBER:
        raise ValidationError(_("The number is out of range."))
    return number


def coerce(definition: CustomField, value: Any) -> Any:
    """The stored (JSON) form of a value, or a ValidationError saying what is wrong."""
    if value is None or value == "" or value == []:
        return None
    kind = definition.type
    if kind in (T.TEXT,):
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValidationError(_("Expected text."))
        value = str(value)
        if len(value) > 10_000:
            raise ValidationError(_("Ensure this value has at most 10000 characters."))
        if "\x00" in value:
            raise ValidationError(_("Text may not contain NUL characters."))
        return value
    if kind == T.NUMBER:
        number = _number(value, _("Expected a whole number."))
        if number != number.to_integral_value():
            raise ValidationError(_("Expected a whole number."))
        return int(number)
    if kind == T.DECIMAL:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return float(_number(value, _("Expected a number.")))
    if kind == T.DATE:
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError(_("Expected a date (YYYY-MM-DD).")) from None
    if kind == T.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "sí", "si", "on"}:
            return True
        if text in {"false", "0", "no", "off"}:
            return False
        raise ValidationError(_("Expected true or false."))
    if kind == T.CHOICE:
        if value not in (definition.choices or []):
            raise ValidationError(_("Not one of the choices: %(value)s.") % {"value": value})
        return value
    if kind == T.MULTI_CHOICE:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise ValidationError(_("Expected a list of choices."))
        bad = [v for v in value if v not in (definition.choices or [])]
        if bad:
            raise ValidationError(_("Not one of the choices: %(value)s.") % {
                "value": ", ".join(map(str, bad))})
        return list(dict.fromkeys(value))
    if kind == T.URL:
        value = str(value).strip()
        try:
            URLValidator()(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid URL.")) from None
        return value
    if kind == T.EMAIL:
        value = str(value).strip()
        try:
            EmailValidator()(value)
        except ValidationError:
            raise ValidationError(_("Enter a valid email address.")) from None
        return value.lower()
    return value


def merge(entity: str, current: dict, incoming: Any, defs: dict | None = None) -> dict:
    """Apply incoming custom values onto the current ones (null removes a value)."""
    if not isinstance(incoming, dict):
        raise ValidationError({"custom": [_("Expected an object of custom-field values.")]})
    defs = definitions(entity) if defs is None else defs
    errors: dict[str, list[str]] = {}
    result = dict(current)
    for key, value in incoming.items():
        definition = defs.get(key)
        if definition is None:
            errors[f"custom.{key}"] = [_("Unknown custom field.")]
            continue
        try:
            stored = coerce(definition, value)
        except ValidationError as exc:
            errors[f"custom.{key}"] = exc.messages
            continue
        if stored is None:
            result.pop(key, None)
        else:
            result[key] = stored
    if errors:
        raise ValidationError(errors)
    return result


def validate_required(entity: str, values: dict, *, creating: bool, touched: set[str]) -> None:
    if not creating and "custom" not in touched:
        return
    missing = {
        f"custom.{d.key}": [_("This field is required.")]
        for d in definitions(entity).values() if d.required and values.get(d.key) in (None, "", [])
    }
    if missing:
        raise ValidationError(missing)


def form_field(definition: CustomField) -> forms.Field:
    common = {"label": label(definition), "required": definition.required}
    kind = definition.type
    if kind == T.NUMBER:
        return forms.IntegerField(**common)
    if kind == T.DECIMAL:
        return forms.DecimalField(**common)
    if kind == T.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == T.BOOLEAN:
        return forms.BooleanField(**{**common, "required": False})
    if kind == T.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in definition.choices],
                                 **common)
    if kind == T.MULTI_CHOICE:
        return forms.MultipleChoiceField(choices=[(c, c) for c in definition.choices],
                                         widget=forms.CheckboxSelectMultiple, **common)
    if kind == T.URL:
        return forms.URLField(**common)
    if kind == T.EMAIL:
        return forms.EmailField(**common)
    return forms.CharField(max_length=10_000, **common)


KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def validate_definition(entity: str, key: str, type_: str, choices: Any) -> None:
    """Refuse a definition that could not produce valid values (a 422 naming the field)."""
    from . import registry

    errors = {}
    if registry.maybe(entity) is None or not registry.get(entity).custom_fields:
        errors["entity"] = [_("Unknown entity or one without custom fields.")]
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        errors["key"] = [_("Use lower-case letters, digits and underscores, starting with a "
                           "letter.")]
    if type_ not in T.values:
        errors["type"] = [_("Unknown type.")]
    if type_ in (T.CHOICE, T.MULTI_CHOICE):
        if (not isinstance(choices, list) or not choices
                or not all(isinstance(c, str) and c.strip() and len(c) <= 200 for c in choices)):
            errors["choices"] = [_("Give a non-empty list of choices (text of at most 200 "
                                   "characters each).")]
        elif len(set(choices)) != len(choices):
            errors["choices"] = [_("Each choice may appear only once.")]
    elif choices:
        errors["choices"] = [_("Only choice and multiple-choice fields have choices.")]
    if errors:
        raise ValidationError(errors)
