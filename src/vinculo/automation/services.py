"""Business rules: conditions checked in the write pipeline of every entity, set up without
code by administrators.

A rule has a `condition` (the filter language, contract §3, extended inside rules with three
operators about the change itself) and an action:

- `set`: give fields the values in `values` ({field: value});
- `require`: the `fields` listed must have a value;
- `refuse`: the change is refused with `message` ({"en": …, "es": …}) on `fields` (or on the
  whole record when none are named).

Change operators (only inside business rules):

    {"field": "amount", "op": "changed"}                  # value optional (true)
    {"field": "stage_id", "op": "changed_from", "value": 3}
    {"field": "stage_id", "op": "changed_to", "value": 5}

On create, a field has "changed" when it has a value, its value "before" is null.

One hook on "*" runs the active rules of the record's entity before save, in `order`, after
the entity's own rules have filled the record, so conditions see the record as it will be
saved. Rules are compiled once per process and entity and kept until the entity's stamp in
the database changes (every rule change gives it a new random value), so every process sees
a change on its next write.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.platform import customfields, filters, memo, registry
from vinculo.platform.hooks_registry import Stage, register
from vinculo.platform.records import (
    Change,
    _check_foreign_key,
    _validate_field,
    convert,
    jsonable,
    writable_fields,
)

from .models import BusinessRule, BusinessRuleStamp, RuleAction

logger = logging.getLogger(__name__)

CHANGE_OPS = ("changed", "changed_from", "changed_to")
LANGUAGES = ("en", "es")
MAX_RULES_PER_ENTITY = 200
MAX_MESSAGE = 500
RULES_HOOK_ORDER = 500  # after the entities' own hooks (10–60) and plug-ins' default (100)

Test = Callable[[Change], "bool | None"]


# ------------------------------------------------------------------------------ validation


def rule_entities() -> list[str]:
    return registry.names()


def _field_exists(entity: registry.Entity, name: str) -> bool:
    if name.startswith("custom."):
        return entity.custom_fields and name[7:] in customfields.definitions(entity.name)
    return name in writable_fields(entity.model)


def _unknown(name: Any, entity: registry.Entity) -> str:
    return _("Unknown field '%(field)s' for %(entity)s.") % {"field": name,
                                                             "entity": entity.name}


def _placeholder(entity: registry.Entity, node: dict, loc: list) -> dict:
    """The plain filter condition that checks a change condition's field and value types."""
    unknown = set(node) - {"field", "op", "value"}
    if unknown:
        raise filters.FilterError(_("Unknown key '%(key)s'.") % {"key": sorted(unknown)[0]}, loc)
    name = node.get("field")
    if not isinstance(name, str) or not _field_exists(entity, name):
        raise filters.FilterError(_unknown(name, entity), [*loc, "field"])
    if node["op"] == "changed":
        if node.get("value", True) is not True:
            raise filters.FilterError(_("'changed' takes no value (or true)."), [*loc, "value"])
        return {"field": name, "op": "is_null", "value": True}
    if "value" not in node:
        raise filters.FilterError(_("A value is required."), [*loc, "value"])
    value = node["value"]
    if value is None:
        return {"field": name, "op": "is_null", "value": True}
    return {"field": name, "op": "eq", "value": value}


def _plain(entity: registry.Entity, node: Any, loc: list) -> Any:
    """`node` with every change condition replaced by its placeholder (for validation)."""
    if not isinstance(node, dict):
        return node
    for key in ("all", "any"):
        if key in node and isinstance(node[key], list):
            return {**node, key: [_plain(entity, child, [*loc, key, i])
                                  for i, child in enumerate(node[key])]}
    if "not" in node:
        return {**node, "not": _plain(entity, node["not"], [*loc, "not"])}
    if "field" in node and node.get("op") in CHANGE_OPS:
        return _placeholder(entity, node, loc)
    return node


def validate_condition(entity_name: str, node: Any) -> None:
    """Raise ValidationError naming `condition.<where>` unless `node` is a valid rule
    condition of the entity."""
    entity = registry.get(entity_name)
    if node in (None, {}):
        return
    try:
        filters.validate(entity_name, _plain(entity, node, ["condition"]))
    except filters.FilterError as exc:
        loc = [str(p) for p in exc.loc if p not in ("filter",)]
        if not loc or loc[0] != "condition":
            loc = ["condition", *loc]
        raise ValidationError({".".join(loc): [exc.message]}) from None


def _message(value: Any, required: bool) -> dict[str, str]:
    if value in (None, "", {}):
        if required:
            raise ValidationError({"message": [
                _("A refusal needs a message (in English and/or Spanish).")]})
        return {}
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        raise ValidationError({"message": [_('Expected {"en": "…", "es": "…"}.')]})
    cleaned = {}
    for lang, text in value.items():
        if lang not in LANGUAGES:
            raise ValidationError({f"message.{lang}": [
                _("Unknown language: use en or es.")]})
        if text in (None, ""):
            continue
        if not isinstance(text, str) or len(text) > MAX_MESSAGE:
            raise ValidationError({f"message.{lang}": [
                _("Expected a text of at most %(n)d characters.") % {"n": MAX_MESSAGE}]})
        cleaned[lang] = text.strip()
    if required and not cleaned:
        raise ValidationError({"message": [
            _("A refusal needs a message (in English and/or Spanish).")]})
    return cleaned


def _field_list(entity: registry.Entity, value: Any, required: bool) -> list[str]:
    if value in (None, ""):
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"fields": [_("Expected a list of field names.")]})
    if len(value) > 100:
        raise ValidationError({"fields": [_("At most %(n)d fields.") % {"n": 100}]})
    for i, name in enumerate(value):
        if not _field_exists(entity, name):
            raise ValidationError({f"fields.{i}": [_unknown(name, entity)]})
    if required and not value:
        raise ValidationError({"fields": [_("Name at least one field.")]})
    return list(dict.fromkeys(value))


def _set_values(entity: registry.Entity, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise ValidationError({"values": [_("Give the values to set, as {field: value}.")]})
    if len(value) > 100:
        raise ValidationError({"values": [_("At most %(n)d fields.") % {"n": 100}]})
    fields = writable_fields(entity.model)
    defs = customfields.definitions(entity.name) if entity.custom_fields else {}
    for name, item in value.items():
        key = f"values.{name}"
        if name.startswith("custom."):
            definition = defs.get(name[7:])
            if definition is None:
                raise ValidationError({key: [_unknown(name, entity)]})
            if item is not None:
                try:
                    customfields.coerce(definition, item)
                except ValidationError as exc:
                    raise ValidationError({key: exc.messages}) from None
            continue
        f = fields.get(name)
        if f is None or name == "custom":
            raise ValidationError({key: [_unknown(name, entity)]})
        try:
            convert(f, key, item)
        except ValidationError as exc:
            raise ValidationError({key: [m for ms in exc.message_dict.values() for m in ms]}
                                  ) from None
    return dict(value)


def clean_rule(data: dict[str, Any], rule: BusinessRule | None = None) -> dict[str, Any]:
    """The rule's fields after validation (the stored rule's values where `data` is silent),
    or a ValidationError naming the field."""
    merged = {
        "entity": rule.entity if rule else None, "name": rule.name if rule else None,
        "condition": rule.condition if rule else {}, "action": rule.action if rule else None,
        "values": rule.values if rule else {}, "fields": rule.fields if rule else [],
        "message": rule.message if rule else {}, "active": rule.active if rule else True,
        "order": rule.order if rule else 0,
    }
    merged.update({k: v for k, v in data.items() if k in merged})
    entity = registry.maybe(merged["entity"] or "")
    if entity is None:
        raise ValidationError({"entity": [_("Unknown record type: use one of %(names)s.") %
                                          {"names": ", ".join(rule_entities())}]})
    name = (merged["name"] or "").strip() if isinstance(merged["name"], str) else ""
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    merged["name"] = name
    if merged["action"] not in RuleAction.values:
        raise ValidationError({"action": [_("Use one of: refuse, set, require.")]})
    if merged["condition"] is None:
        merged["condition"] = {}
    validate_condition(entity.name, merged["condition"])
    action = merged["action"]
    if action == RuleAction.SET:
        merged["values"] = _set_values(entity, merged["values"])
    else:
        merged["values"] = {}
    merged["fields"] = _field_list(entity, merged["fields"], required=action == "require")
    merged["message"] = _message(merged["message"], required=action == "refuse")
    if not isinstance(merged["active"], bool):
        raise ValidationError({"active": [_("Expected true or false.")]})
    if not isinstance(merged["order"], int) or isinstance(merged["order"], bool) or not (
            -1_000_000 <= merged["order"] <= 1_000_000):
        raise ValidationError({"order": [_("Expected a whole number.")]})
    return merged


# ------------------------------------------------------------------------------ writes


def create_rule(data: dict[str, Any]) -> BusinessRule:
    cleaned = clean_rule(data)
    with transaction.atomic():
        if BusinessRule.objects.filter(entity=cleaned["entity"]).count() >= MAX_RULES_PER_ENTITY:
            raise ValidationError({"entity": [_("At most %(n)d rules per record type.") %
                                              {"n": MAX_RULES_PER_ENTITY}]})
        rule = BusinessRule.objects.create(**cleaned)
        touch(rule.entity)
    return rule


def update_rule(rule: BusinessRule, data: dict[str, Any]) -> BusinessRule:
    cleaned = clean_rule(data, rule)
    with transaction.atomic():
        before = rule.entity
        for key, value in cleaned.items():
            setattr(rule, key, value)
        rule.version += 1
        rule.updated_at = timezone.now()
        rule.save()
        touch(before)
        if rule.entity != before:
            touch(rule.entity)
    return rule


def delete_rule(rule: BusinessRule) -> None:
    with transaction.atomic():
        entity = rule.entity
        rule.delete()
        touch(entity)


def touch(entity: str) -> None:
    """Give the entity's rules a new stamp: every process recompiles on its next write."""
    value = secrets.randbits(62) + 1
    memo.forget(("business_rules.stamp", entity))
    if not BusinessRuleStamp.objects.filter(entity=entity).update(version=value):
        BusinessRuleStamp.objects.update_or_create(entity=entity, defaults={"version": value})


def stamp(entity: str) -> int:
    """The entity's rules stamp, read once per batch of writes (`platform.memo`)."""
    return memo.memo(("business_rules.stamp", entity), lambda: BusinessRuleStamp.objects.filter(
        entity=entity).values_list("version", flat=True).first() or 0)


# ------------------------------------------------------------------------------ evaluation


def _old_key(entity: registry.Entity, name: str) -> tuple[str, models.Field | None]:
    if name.startswith("custom."):
        return name, None
    f = writable_fields(entity.model)[name]
    return f.attname, f


def _normal(f: models.Field | None, value: Any) -> Any:
    if value is None or f is None:
        return value
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    try:
        return target.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return value


def _change_test(entity: registry.Entity, node: dict) -> Test:
    key, f = _old_key(entity, node["field"])
    op = node["op"]
    wanted = _normal(f, node.get("value"))

    def values(change: Change) -> tuple[Any, Any]:
        before = None if change.operation == "create" else _normal(f, change.old.get(key))
        return before, _normal(f, jsonable(change.now(key)) if f is None else change.now(key))

    if op == "changed":
        def changed(change: Change) -> bool:
            before, after = values(change)
            if change.operation == "create":
                return after not in (None, "")
            return before != after

        return changed

    def moved(change: Change) -> bool:
        before, after = values(change)
        if before == after:
            return False
        return (before if op == "changed_from" else after) == wanted

    return moved


def _has_change_ops(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    if "field" in node:
        return node.get("op") in CHANGE_OPS
    for key in ("all", "any"):
        if key in node:
            return any(_has_change_ops(child) for child in node[key])
    if "not" in node:
        return _has_change_ops(node["not"])
    return False


def compile_condition(entity_name: str, node: Any) -> Test:
    """A test `change -> bool | None` for a (validated) rule condition."""
    entity = registry.get(entity_name)
    if node in (None, {}):
        return lambda change: True
    if not _has_change_ops(node):
        test = filters.matcher(entity_name, node)
        return lambda change: test(change.instance)
    if "field" in node:
        return _change_test(entity, node)
    if "not" in node:
        inner = compile_condition(entity_name, node["not"])

        def negated(change: Change) -> bool | None:
            got = inner(change)
            return None if got is None else not got

        return negated
    key = "all" if "all" in node else "any"
    parts = [compile_condition(entity_name, child) for child in node[key]]

    def combined(change: Change) -> bool | None:
        answer: bool | None = key == "all"
        for part in parts:
            got = part(change)
            if key == "all" and got is False or key == "any" and got is True:
                return got
            if got is None:
                answer = None
        return answer

    return combined


@dataclass
class CompiledRule:
    id: int
    name: str
    action: str
    test: Test
    values: dict[str, Any]
    fields: list[str]
    message: dict[str, str]


_compiled: dict[str, tuple[int, list[CompiledRule]]] = {}
_lock = threading.Lock()


def compiled_rules(entity: str) -> list[CompiledRule]:
    current = stamp(entity)
    cached = _compiled.get(entity)
    if cached is not None and cached[0] == current:
        return cached[1]
    rules = []
    for rule in BusinessRule.objects.filter(entity=entity, active=True).order_by("order", "id"):
        try:
            test = compile_condition(entity, rule.condition or {})
        except (filters.FilterError, KeyError, LookupError) as exc:
            # a condition broken by a later change (a custom field removed): skipped, logged
            logger.warning("Business rule %s (%s) skipped: %s", rule.pk, rule.name, exc)
            continue
        rules.append(CompiledRule(rule.pk, rule.name, rule.action, test, rule.values or {},
                                  list(rule.fields or []), rule.message or {}))
    with _lock:
        _compiled[entity] = (current, rules)
    return rules


def localized(message: dict[str, str]) -> str:
    """The message in the active language (the user's), else English, else any."""
    lang = (translation.get_language() or "en").split("-")[0].lower()
    return message.get(lang) or message.get("en") or next(iter(message.values()), "")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _set(change: Change, values: dict[str, Any]) -> None:
    entity, instance = change.entity, change.instance
    fields = writable_fields(type(instance))
    for name, value in values.items():
        if name.startswith("custom."):
            instance.custom = customfields.merge(entity.name, instance.custom or {},
                                                 {name[7:]: value})
            custom = change.data.setdefault("custom", {})
            if isinstance(custom, dict):
                custom[name[7:]] = value
            continue
        f = fields.get(name)
        if f is None:
            continue
        converted = convert(f, name, value)
        setattr(instance, f.attname, converted)
        _validate_field(instance, f, name)
        if isinstance(f, models.ForeignKey):
            _check_foreign_key(f, name, converted, None)
        change.data[name] = value


def apply_rules(change: Change) -> None:
    """The hook: run the entity's active rules on the record about to be saved."""
    rules = compiled_rules(change.entity.name)
    if not rules:
        return
    errors: dict[str, list[str]] = {}
    for rule in rules:
        if rule.test(change) is not True:
            continue
        if rule.action == RuleAction.SET:
            _set(change, rule.values)
        elif rule.action == RuleAction.REQUIRE:
            text = localized(rule.message) or _("This field is required.")
            for name in rule.fields:
                if _empty(change.now(name)):
                    errors.setdefault(name, []).append(text)
        else:
            text = localized(rule.message)
            for name in rule.fields or ["__all__"]:
                errors.setdefault(name, []).append(text)
    if errors:
        raise ValidationError(errors)


register("*", Stage.BEFORE_SAVE, operations=("create", "update"), order=RULES_HOOK_ORDER,
         name="automation.business_rules")(apply_rules)
