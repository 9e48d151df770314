"""Settings pages of assignment rules (administrators) and the "apply the rules" action."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vinculo.identity.models import User
from vinculo.platform import filters
from vinculo.web.base import admin_page, page, safe_next
from vinculo.web.listing import OP_LABELS

from . import services
from .forms import RuleForm, territories_text
from .models import Assignment, AssignmentRule

BASE = "/settings/assignment-rules/"


@admin_page
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(AssignmentRule.objects.select_related("user", "team").annotate(
        made=Count("assignments")).order_by("entity", "order", "id"))
    groups: dict[str, list] = {}
    for rule in rules:
        rule.target_text = describe(rule)
        groups.setdefault(rule.entity, []).append(rule)
    return render(request, "assignment/rules.html", {
        "groups": groups, "section": "assignment_rules",
        "entities": services.assignable_entities()})


@admin_page
@require_POST
def rule_move(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(rule_id)
    services.move_rule(rule, "up" if request.POST.get("direction") == "up" else "down")
    return redirect(BASE)


def _rule(rule_id: int) -> AssignmentRule:
    rule = AssignmentRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404
    return rule


@admin_page
def rule_new(request: HttpRequest) -> HttpResponse:
    entity = request.GET.get("entity") or request.POST.get("entity") or "leads"
    return _edit(request, None, entity)


@admin_page
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _rule(rule_id)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.delete_rule(rule)
        messages.success(request, _("Rule deleted."))
        return redirect(BASE)
    return _edit(request, rule, request.POST.get("entity") or rule.entity)


def _edit(request: HttpRequest, rule: AssignmentRule | None, entity: str) -> HttpResponse:
    entities = services.assignable_entities()
    if entity not in entities:
        entity = "leads"
    initial = {"entity": entity, "active": True, "only_unowned": True}
    if rule is not None:
        initial = {"name": rule.name, "entity": rule.entity, "method": rule.method,
                   "user_id": rule.user_id, "team_id": rule.team_id, "order": rule.order,
                   "active": rule.active, "only_unowned": rule.only_unowned,
                   "territories": territories_text(rule.territories),
                   "condition": json.dumps(rule.condition) if rule.condition else ""}
    form = RuleForm(request.POST or None, initial=initial, entities=entities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = (services.create_rule(data) if rule is None
                     else services.update_rule(rule, data))
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                name = key.split(".")[0]
                for error in errors:
                    where = key[len(name) + 1:]
                    message = f"{where}: {error}" if where else error
                    form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("Rule %(name)s saved.") % {"name": saved.name})
            return redirect(BASE)
    recent = Assignment.objects.filter(rule=rule).select_related("owner")[:20] if rule else []
    return render(request, "assignment/rule_form.html", {
        "form": form, "rule": rule, "entity": entity, "section": "assignment_rules",
        "recent": recent, "builder": _builder(entity)})


def _builder(entity: str) -> dict:
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
            "empty": _("No conditions: the rule applies to every record."),
        },
    }


@page
@require_POST
def apply_view(request: HttpRequest) -> HttpResponse:
    """Apply the rules now: to the records ticked on a list page (`ids`), or, from the rules
    page, to a filter over every record of a type. Only records the user may change."""
    entity = request.POST.get("entity") or request.GET.get("entity") or ""
    back = safe_next(request, BASE if entity not in ("leads", "opportunities") else f"/{entity}/")
    if entity not in services.assignable_entities():
        messages.error(request, _("Unknown record type."))
        return redirect(back)
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    text = (request.POST.get("filter") or "").strip()
    try:
        if ids:
            result = services.apply(entity, actor=request.user, ids=ids)
        elif text or request.POST.get("all") == "1":
            result = services.apply(entity, actor=request.user,
                                    node=json.loads(text) if text else {})
        else:
            messages.error(request, _("Select at least one record."))
            return redirect(back)
    except (ValueError, filters.FilterError, ValidationError) as exc:
        message = getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [])) or str(
            exc)
        messages.error(request, _("The rules were not applied: %(why)s") % {"why": message})
        return redirect(back)
    messages.success(request, ngettext(
        "%(n)d record assigned by the rules.", "%(n)d records assigned by the rules.",
        result.assigned) % {"n": result.assigned} + " " + ngettext(
        "%(n)d unchanged.", "%(n)d unchanged.", result.unchanged) % {"n": result.unchanged})
    if result.skipped:
        messages.warning(request, ngettext(
            "%(n)d record was skipped: you may not change it.",
            "%(n)d records were skipped: you may not change them.", result.skipped) % {
            "n": result.skipped})
    return redirect(back)


def describe(rule: AssignmentRule) -> str:
    """Who the rule gives records to, in words."""
    if rule.method == "user":
        return rule.user.display_name() if rule.user else "—"
    if rule.method == "territory":
        return ngettext("%(n)d territory", "%(n)d territories", len(rule.territories)) % {
            "n": len(rule.territories)}
    return rule.team.name if rule.team else "—"


BULK_ENTITIES = ("leads", "opportunities")


def bulk_menu(request: HttpRequest, resource) -> str | None:
    """The "Apply assignment rules" button of the leads and opportunities bulk bars."""
    if resource.entity not in BULK_ENTITIES:
        return None
    return format_html(
        '<button type="submit" class="btn btn-sm" formaction="{}" data-needs-selection>{}'
        "</button>", f"{BASE}apply/", _("Apply assignment rules"))
