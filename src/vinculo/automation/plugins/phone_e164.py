"""Phone numbers stored in international E.164 form (+34600111222) on contacts, accounts and leads.

Runs before validation on create and update: every phone field in the incoming data is
rewritten to E.164, using the record's country (given in the same write or already stored)
for numbers written without a country prefix. A number that cannot be read is left as typed,
so the usual validation refuses it with its own message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import Change
from vinculo.platform.validators import to_e164

PHONE_FIELDS = {"contacts": ("phone", "mobile"), "accounts": ("phone",), "leads": ("phone",)}


def normalise(change: Change) -> None:
    fields = PHONE_FIELDS.get(change.entity.name, ())
    country = change.data.get("country")
    if not country and change.operation == "update":
        country = change.old.get("country")
    for name in fields:
        value = change.data.get(name)
        if not isinstance(value, str) or not value.strip():
            continue
        try:
            change.data[name] = to_e164(value.strip(), str(country or ""))
        except ValidationError:
            continue


for _entity in PHONE_FIELDS:
    register(_entity, Stage.BEFORE_VALIDATE, operations=("create", "update"), order=50,
             name=f"plugins.phone_e164.{_entity}")(normalise)
