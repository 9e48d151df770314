"""Settings pages of business rules (administrators): list, form with the filter builder."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vinculo.identity.models import User
from vinculo.platform import customfields, filters, registry
from vinculo.platform.records import convert, jsonable, writable_fields
from vinculo.web.base import admin_page
from vinculo.web.listing import OP_LABELS

from . import services
from .forms import BusinessRuleForm
from .models import BusinessRule

BASE = "/settings/business-rules/"


@admin_page
def rule_list(request: HttpRequest) -> HttpResponse:
    groups: dict[str, list] = {}
    for rule in BusinessRule.objects.order_by("entity", "order", "id"):
        rule.summary = summary(rule)
        rule.condition_text = json.dumps(rule.condition, ensure_ascii=False)
        groups.setdefault(rule.entity, []).append(rule)
    return render(request, "automation/rules.html", {"groups": groups,
                                                     "section": "business_rules"})


def summary(rule: BusinessRule) -> str:
    if rule.action == "set":
        return ", ".join(f"{k} = {v}" for k, v in (rule.values or {}).items())
    if rule.action == "require":
        return ", ".join(rule.fields or [])
    return services.localized(rule.message or {})


def _rule(rule_id: int) -> BusinessRule:
    rule = BusinessRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


@admin_page
def rule_new(request: HttpRequest) -> HttpResponse:
    entity = request.GET.get("entity") or request.POST.get("entity") or "contacts"
    return _edit(request, None, entity)


@admin_page
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(rule_id)
    if request.method == "POST" and request.POST.get("action_button") == "delete":
        services.delete_rule(rule)
        messages.success(request, _("Rule deleted."))
        return redirect(BASE)
    return _edit(request, rule, request.POST.get("entity") or rule.entity)


def field_choices(entity_name: str) -> list[tuple[str, str]]:
    entity = registry.get(entity_name)
    choices = []
    for name, f in writable_fields(entity.model).items():
        if name == "custom":
            continue
        choices.append((name, f"{str(f.verbose_name)[:1].upper()}{str(f.verbose_name)[1:]}"
                              f" ({name})"))
    if entity.custom_fields:
        for key, definition in customfields.definitions(entity_name).items():
            choices.append((f"custom.{key}", f"{customfields.label(definition)} (custom.{key})"))
    return choices


def split_condition(node: Any) -> tuple[Any, dict[str, Any]]:
    """(the plain filter for the builder, {"field", "from", "to"} of the change conditions)."""
    change: dict[str, Any] = {}

    def take(leaf: dict) -> bool:
        if not (isinstance(leaf, dict) and leaf.get("op") in services.CHANGE_OPS
                and set(leaf) <= {"field", "op", "value"}):
            return False
        if change.get("field") not in (None, leaf.get("field")):
            return False
        key = {"changed": None, "changed_from": "from", "changed_to": "to"}[leaf["op"]]
        if key and key in change:
            return False
        change["field"] = leaf.get("field")
        if key:
            change[key] = leaf.get("value")
        return True

    if isinstance(node, dict) and take(node):
        return {}, change
    if isinstance(node, dict) and set(node) == {"all"} and isinstance(node["all"], list):
        rest = [child for child in node["all"] if not take(child)]
        if change and not any(services._has_change_ops(child) for child in rest):
            plain = rest[0] if len(rest) == 1 else ({"all": rest} if rest else {})
            return plain, change
    return node, {}


def join_condition(entity: str, plain: dict, field: str, before: str, after: str) -> dict:
    leaves = []
    if field:
        f = writable_fields(registry.get(entity).model).get(field)

        def typed(text: str) -> Any:
            if text.strip().lower() in ("null", "none"):
                return None
            if f is None:
                return text
            try:
                return jsonable(convert(f, field, text))
            except ValidationError:
                return text

        if before:
            leaves.append({"field": field, "op": "changed_from", "value": typed(before)})
        if after:
            leaves.append({"field": field, "op": "changed_to", "value": typed(after)})
        if not leaves:
            leaves.append({"field": field, "op": "changed"})
    if not leaves:
        return plain or {}
    if not plain:
        return leaves[0] if len(leaves) == 1 else {"all": leaves}
    return {"all": [plain, *leaves]}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _edit(request: HttpRequest, rule: BusinessRule | None, entity: str) -> HttpResponse:
    entities = services.rule_entities()
    if entity not in entities:
        entity = "contacts"
    initial: dict[str, Any] = {"entity": entity, "active": True, "action": "refuse"}
    if rule is not None:
        plain, change = split_condition(rule.condition or {})
        initial = {
            "name": rule.name, "entity": rule.entity, "action": rule.action,
            "values": "\n".join(f"{k} = {_text(v)}" for k, v in (rule.values or {}).items()),
            "fields": rule.fields, "message_en": (rule.message or {}).get("en", ""),
            "message_es": (rule.message or {}).get("es", ""), "order": rule.order,
            "active": rule.active, "condition": json.dumps(plain) if plain else "",
            "change_field": change.get("field", ""),
            "change_from": _text(change.get("from")) if "from" in change else "",
            "change_to": _text(change.get("to")) if "to" in change else ""}
    choices = field_choices(entity)
    form = BusinessRuleForm(request.POST or None, initial=initial, entities=entities,
                            field_choices=choices)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        data = {
            "entity": entity, "name": c["name"], "action": c["action"],
            "values": c["values"], "fields": c["fields"],
            "message": {k: v for k, v in (("en", c["message_en"]), ("es", c["message_es"]))
                        if v},
            "active": c["active"], "order": c["order"] or 0,
            "condition": join_condition(entity, c["condition"], c["change_field"],
                                        c["change_from"], c["change_to"]),
        }
        try:
            saved = (services.create_rule(data) if rule is None
                     else services.update_rule(rule, data))
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                name = key.split(".")[0]
                target = {"message": "message_en"}.get(name, name)
                for error in errors:
                    where = key[len(name) + 1:]
                    text = f"{where}: {error}" if where else error
                    form.add_error(target if target in form.fields else None, text)
        else:
            messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
            return redirect(BASE)
    return render(request, "automation/rule_form.html", {
        "form": form, "rule": rule, "entity": entity, "section": "business_rules",
        "builder": builder_config(entity)})


def builder_config(entity: str) -> dict:
    """The filter builder's configuration (as on list pages) for a rule's condition."""
    fields = [{**f, "label": f["label"][:1].upper() + f["label"][1:]}
              for f in filters.describe_fields(entity)]
    users = [[u.pk, u.display_name()] for u in User.objects.filter(is_active=True)]
    return {
        "fields": fields, "users": users, "ops": {k: str(v) for k, v in OP_LABELS.items()},
        "text": {
            "all": _("all of these conditions"), "any": _("any of these conditions"),
            "match": _("Match"), "add": _("Add condition"), "remove": _("Remove condition"),
            "apply": _("Use this condition"), "clear": _("Clear"), "yes": _("Yes"),
            "no": _("No"), "me": _("Me"), "value": _("Value"), "and": _("and"),
            "field": _("Field"), "operator": _("Operator"), "json": _("Edit as JSON"),
            "visual": _("Edit visually"),
            "complex": _("This condition has nested groups or related-record conditions; "
                         "edit it as JSON."),
            "badjson": _("This is not valid JSON."),
            "listhint": _("Separate values with commas"), "days": _("days"),
            "empty": _("No conditions: the rule applies to every create and update."),
        },
    }
