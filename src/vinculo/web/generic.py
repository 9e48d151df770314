"""Detail, create, edit, delete and restore pages of every resource, with history and timeline.

Reads go through record access (404 for a record the user may not see, 403 for an action they
may not take); writes go through the write pipeline, whose refusals and version conflicts
are shown on the form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vinculo.activities import selectors
from vinculo.platform import access, audit, customfields, records
from vinculo.platform.crud import visible
from vinculo.platform.pagination import CursorError, paginate

from . import columns as cols
from . import resources
from .base import page, safe_next
from .forms import CUSTOM_PREFIX, record_form_class, stale_message
from .forms import prefill_initial as form_prefill
from .resources import Resource, record_url

HISTORY_PAGE = 20
TIMELINE_PAGE = 30
QUICK_FIELDS = ["kind", "subject", "body", "due_at", "contact_id", "account_id"]
QUICK_KINDS = ("note", "call", "task")


def get_record(user: Any, resource: Resource, pk: int) -> models.Model:
    """The record, live or in the recycle bin, if this user may see it; else 404."""
    model = resource.definition.model
    obj = visible(user, resource.entity, model.all_objects.all()).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# ------------------------------------------------------------------------------ detail


@page
@require_GET
def detail_view(request: HttpRequest, resource: Resource, pk: int) -> HttpResponse:
    user = request.user
    obj = get_record(user, resource, pk)
    entity = resource.definition
    # The timeline is of live records; one in the recycle bin shows its history.
    has_timeline = resource.timeline and obj.deleted_at is None
    tab = request.GET.get("tab") or ("timeline" if has_timeline else "history")
    if not has_timeline:
        tab = "history"

    context = {
        "resource": resource, "obj": obj, "title": entity.title(obj) or f"#{obj.pk}",
        "subtitle": entity.subtitle(obj), "tab": tab,
        "sections": detail_sections(user, resource, obj),
        "custom_values": custom_values(resource, obj),
        "tags": [t.name for t in obj.tags.all()] if "tags" in resource.form_fields else [],
        "owner": getattr(obj, "owner", None) if entity.owned else None,
        "can_change": obj.deleted_at is None and access.allows(user, obj, "change"),
        "can_delete": access.allows(user, obj, "delete"),
        "related": related_lists(user, resource, obj),
    }
    context["has_timeline"] = has_timeline
    context["panels"] = detail_panels(request, resource, obj)
    if tab == "timeline":
        context.update(timeline_context(user, resource, obj, None))
        context["quick"] = quick_context(user, resource, obj)
    else:
        context.update(history_context(resource, obj, None))
    return render(request, "web/detail.html", context)


def detail_panels(request: HttpRequest, resource: Resource, obj: models.Model) -> list[dict]:
    """Panels other apps add to this detail page, each rendered with its own context."""
    shown = []
    for panel in resources.panels_for(resource.entity):
        panel_context = panel.context(request, obj)
        if panel_context is not None:
            shown.append({"template": panel.template, "context": panel_context})
    return shown


def detail_sections(user: Any, resource: Resource, obj: models.Model) -> list[dict]:
    entity = resource.definition
    sections = []
    for section in resource.sections:
        rows = []
        for name in section.fields:
            if name in ("tags", "owner_id"):
                continue
            label = field_label(entity.model, name)
            rows.append({"name": name, "label": label, "cell": cols.display(user, entity, obj,
                                                                             name)})
        sections.append({"title": section.title, "rows": rows})
    if resource.read_only:
        rows = [{"name": n, "label": field_label(entity.model, n),
                 "cell": cols.display(user, entity, obj, n)} for n in resource.read_only]
        sections.append({"title": _("System"), "rows": rows})
    return sections


def field_label(model: type[models.Model], name: str) -> str:
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            text = str(field.verbose_name)
            return text[:1].upper() + text[1:]
    if name == "tags":
        return _("Tags")
    return name.replace("_", " ").capitalize()


def custom_values(resource: Resource, obj: models.Model) -> list[dict]:
    if not resource.definition.custom_fields:
        return []
    values = getattr(obj, "custom", None) or {}
    return [{"label": customfields.label(d), "cell": cols.custom_cell(d, values.get(d.key))}
            for d in customfields.definitions(resource.entity).values()]


def related_lists(user: Any, resource: Resource, obj: models.Model) -> list[dict]:
    found = []
    for rel in resource.related_lists:
        target = resources.maybe(rel.entity)
        if target is None:
            continue
        model = target.definition.model
        attname = rel.field
        qs = access.scope(user, rel.entity, "view",
                          model.objects.filter(**{attname: obj.pk}))
        rows = list(qs.order_by(*target.definition.default_ordering)[: rel.limit + 1])
        node = {"field": attname, "op": "eq", "value": obj.pk}
        found.append({
            "title": rel.title, "entity": rel.entity,
            "items": [(record_url(rel.entity, r.pk), target.definition.title(r),
                       target.definition.subtitle(r)) for r in rows[: rel.limit]],
            "more": len(rows) > rel.limit,
            "list_url": f"/{rel.entity}/?filter={json.dumps(node)}",
            "new_url": f"/{rel.entity}/new/?{attname}={obj.pk}",
            "can_create": access.can_create(user, rel.entity),
        })
    return found


# ------------------------------------------------------------------------------ history


@dataclass
class HistoryRow:
    entry: Any
    changes: list[tuple[str, Any, Any]]


def history_context(resource: Resource, obj: models.Model, cursor: str | None) -> dict:
    entries, next_cursor = paginate(audit.history(resource.entity, obj.pk), ["-id"], cursor,
                                    HISTORY_PAGE)
    defs = customfields.definitions(resource.entity) if resource.definition.custom_fields else {}
    rows = [HistoryRow(e, describe_changes(resource, e.changes or {}, defs)) for e in entries]
    return {"history": rows, "history_next": next_cursor,
            "history_url": f"{record_url(resource.entity, obj.pk)}history/"}


def describe_changes(resource: Resource, changes: dict, defs: dict) -> list[tuple]:
    model = resource.definition.model
    described = []
    for key, pair in changes.items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if key.startswith(CUSTOM_PREFIX) and key[len(CUSTOM_PREFIX):] in defs:
            label = customfields.label(defs[key[len(CUSTOM_PREFIX):]])
        else:
            label = field_label(model, key)
        described.append((label, show(old), show(new)))
    return described


def show(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


@page
@require_GET
def history_view(request: HttpRequest, resource: Resource, pk: int) -> HttpResponse:
    obj = get_record(request.user, resource, pk)
    try:
        context = history_context(resource, obj, request.GET.get("cursor") or None)
    except CursorError as exc:
        raise Http404 from exc
    context.update(resource=resource, obj=obj)
    return render(request, "web/detail.html#history-items", context)


# ------------------------------------------------------------------------------ timeline


def timeline_context(user: Any, resource: Resource, obj: models.Model,
                     cursor: str | None) -> dict:
    items, next_cursor = selectors.timeline(user, resource.entity, obj.pk, cursor=cursor,
                                            limit=TIMELINE_PAGE)
    return {"timeline": items, "timeline_next": next_cursor,
            "timeline_url": f"{record_url(resource.entity, obj.pk)}timeline/"}


@page
@require_GET
def timeline_view(request: HttpRequest, resource: Resource, pk: int) -> HttpResponse:
    if not resource.timeline:
        raise Http404
    obj = get_record(request.user, resource, pk)
    cursor = request.GET.get("cursor") or None
    try:
        context = timeline_context(request.user, resource, obj, cursor)
    except (CursorError, ValueError) as exc:
        raise Http404 from exc
    context.update(resource=resource, obj=obj)
    fragment = "timeline-items" if cursor else "timeline"
    return render(request, f"web/detail.html#{fragment}", context)


def quick_context(user: Any, resource: Resource, obj: models.Model, form: Any = None,
                  kind: str = "note") -> dict | None:
    activities = resources.maybe("activities")
    if activities is None or not resource.quick_add or not access.can_create(user, "activities"):
        return None
    parent_field = selectors.ACTIVITY_LINKS.get(resource.entity)
    if parent_field is None:
        return None
    return {"form": form, "parent_field": parent_field, "parent_id": obj.pk,
            "parent": f"{resource.entity}:{obj.pk}", "kind": kind, "kinds": QUICK_KINDS,
            "url": "/activities/new/"}


def quick_parent(request: HttpRequest) -> tuple[Resource, models.Model] | None:
    name, _sep, pk = request.POST.get("_quick", "").partition(":")
    resource = resources.maybe(name)
    if resource is None or not pk.isdigit():
        return None
    return resource, get_record(request.user, resource, int(pk))


# ------------------------------------------------------------------------------ forms


@page
@require_http_methods(["GET", "POST"])
def create_view(request: HttpRequest, resource: Resource) -> HttpResponse:
    user = request.user
    access.require_create(user, resource.entity)
    if request.method == "POST" and request.POST.get("_quick"):
        return quick_create(request, resource)
    form_class = record_form_class(resource)
    if request.method == "POST":
        form = form_class(request.POST, user=user)
        if form.is_valid():
            try:
                obj = records.create(resource.entity, form.api_data(), actor=user, source="web")
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("%(label)s created.") % {
                    "label": resource.label.capitalize()})
                return redirect(safe_next(request, record_url(resource.entity, obj.pk)))
    else:
        initial = {"owner_id": user.pk} if resource.definition.owned else {}
        initial.update(form_prefill(resource, request.GET, form_class))
        form = form_class(user=user, initial=initial)
    return render(request, "web/form.html", {
        "resource": resource, "form": form, "obj": None,
        "cancel_url": safe_next(request, f"/{resource.entity}/"),
        "next": request.GET.get("next", "") or request.POST.get("next", ""),
    })


def quick_create(request: HttpRequest, resource: Resource) -> HttpResponse:
    """The detail page's quick-add of a note, call or task (an htmx fragment either way)."""
    parent = quick_parent(request)
    if parent is None:
        raise Http404
    parent_resource, parent_obj = parent
    form_class = record_form_class(resource, only=QUICK_FIELDS)
    form = form_class(request.POST, user=request.user)
    kind = request.POST.get("kind", "note")
    if form.is_valid():
        try:
            records.create(resource.entity, form.api_data(), actor=request.user, source="web")
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            if not request.htmx:
                messages.success(request, _("Added to the timeline."))
                return redirect(record_url(parent_resource.entity, parent_obj.pk))
            context = {"quick": quick_context(request.user, parent_resource, parent_obj,
                                              kind=kind)}
            response = render(request, "web/detail.html#quick-add", context)
            response["HX-Trigger"] = "timeline-changed"
            return response
    if not request.htmx:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(record_url(parent_resource.entity, parent_obj.pk))
    context = {"quick": quick_context(request.user, parent_resource, parent_obj, form, kind)}
    return render(request, "web/detail.html#quick-add", context)


@page
@require_http_methods(["GET", "POST"])
def edit_view(request: HttpRequest, resource: Resource, pk: int) -> HttpResponse:
    user = request.user
    obj = get_record(user, resource, pk)
    if obj.deleted_at is not None:
        raise Http404
    access.require(user, obj, "change")
    form_class = record_form_class(resource, with_version=True)
    if request.method == "POST":
        form = form_class(request.POST, user=user, instance=obj)
        if form.is_valid():
            try:
                records.update(obj, form.api_data(changed_only=True), actor=user, source="web",
                               expected_version=form.cleaned_data.get("version"))
            except records.StaleVersion:
                form.add_error(None, stale_message())
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(record_url(resource.entity, obj.pk))
    else:
        form = form_class(user=user, instance=obj)
    return render(request, "web/form.html", {
        "resource": resource, "form": form, "obj": obj,
        "title": resource.definition.title(obj),
        "cancel_url": record_url(resource.entity, obj.pk),
    })


@page
@require_http_methods(["GET", "POST"])
def delete_view(request: HttpRequest, resource: Resource, pk: int) -> HttpResponse:
    user = request.user
    obj = get_record(user, resource, pk)
    access.require(user, obj, "delete")
    if request.method == "POST":
        try:
            records.delete(obj, actor=user, source="web")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(record_url(resource.entity, obj.pk))
        messages.success(request, _("“%(title)s” was moved to the recycle bin.") % {
            "title": resource.definition.title(obj)})
        return redirect(f"/{resource.entity}/")
    return render(request, "web/confirm_delete.html", {
        "resource": resource, "obj": obj, "title": resource.definition.title(obj)})


@page
@require_POST
def restore_view(request: HttpRequest, resource: Resource, pk: int) -> HttpResponse:
    user = request.user
    obj = get_record(user, resource, pk)
    access.require(user, obj, "delete")
    try:
        records.restore(obj, actor=user, source="web")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(title)s” was restored.") % {
            "title": resource.definition.title(obj)})
    return redirect(record_url(resource.entity, obj.pk))
