"""Pages of the segments module: the list with the natural-language box, the filter builder
and a live count; a segment's members."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vinculo.platform import filters, registry
from vinculo.platform.crud import parse_filter_param
from vinculo.platform.models import Visibility
from vinculo.platform.pagination import CursorError, paginate, parse_ordering
from vinculo.web.base import page
from vinculo.web.listing import builder_config

from . import nl, selectors, services
from .models import Segment

PAGE_SIZE = 50


def entity_choices() -> list[tuple[str, str]]:
    return [(e.name, str(e.label_plural or e.name).capitalize())
            for e in registry.all_entities() if e.filter_fields and e.owned]


def _language() -> str:
    return "es" if (get_language() or "en").startswith("es") else "en"


def _editor_context(request: HttpRequest, entity: str, segment: Segment | None,
                    values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    node = values.get("filter") or {}
    return {
        "segment": segment,
        "entity": entity,
        "entities": entity_choices(),
        "builder": builder_config(request, SimpleNamespace(entity=entity)),
        "filter_text": json.dumps(node) if node else "",
        "values": values,
        "errors": errors,
        "visibilities": Visibility.choices,
        "explanation": nl.explain(entity, node, _language()) if node else "",
    }


def _entity_param(request: HttpRequest, default: str = "contacts") -> str:
    wanted = request.POST.get("entity") or request.GET.get("entity") or default
    names = {name for name, _label in entity_choices()}
    return wanted if wanted in names else default


def _posted(request: HttpRequest) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    try:
        node = parse_filter_param(request.POST.get("filter", "")) or {}
    except filters.FilterError as exc:
        errors["filter"] = [exc.message]
        node = {}
    values = {
        "name": request.POST.get("name", "").strip(),
        "entity": _entity_param(request),
        "filter": node,
        "visibility": request.POST.get("visibility", "private"),
        "description": request.POST.get("description", ""),
        "text": request.POST.get("text", "")[:500],
    }
    return values, errors


def _save(request: HttpRequest, segment: Segment | None) -> tuple[Segment | None, dict, dict]:
    values, errors = _posted(request)
    if errors:
        return None, values, errors
    try:
        saved = services.save(request.user, values, segment)
    except ValidationError as exc:
        return None, values, exc.message_dict
    return saved, values, {}


@page
@require_http_methods(["GET", "POST"])
def segment_list(request: HttpRequest) -> HttpResponse:
    """All the segments one may use, and an editor for a new one."""
    entity = _entity_param(request)
    values: dict[str, Any] = {"visibility": "private", "entity": entity}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        saved, values, errors = _save(request, None)
        if saved is not None:
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": saved.name})
            return redirect(f"/segments/{saved.pk}/")
        entity = values["entity"]
    elif request.GET.get("filter"):
        # "Save as segment" from a list page: its current filter
        try:
            values["filter"] = parse_filter_param(request.GET["filter"]) or {}
            filters.validate(entity, values["filter"], user=request.user)
        except filters.FilterError as exc:
            errors["filter"] = [exc.message]
            values["filter"] = {}
    context = _editor_context(request, entity, None, values, errors)
    context["segments"] = selectors.visible_segments(request.user).order_by("name", "id")[:500]
    return render(request, "segments/list.html", context, status=422 if errors else 200)


@page
@require_http_methods(["GET", "POST"])
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _get(request, pk)
    if not services.may_change(request.user, segment):
        raise Http404
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {k: getattr(segment, k) for k in (
        "name", "entity", "filter", "visibility", "description", "text")}
    if request.method == "POST":
        saved, values, errors = _save(request, segment)
        if saved is not None:
            messages.success(request, _("Segment “%(name)s” saved.") % {"name": saved.name})
            return redirect(f"/segments/{saved.pk}/")
    context = _editor_context(request, values.get("entity") or segment.entity, segment, values,
                              errors)
    return render(request, "segments/edit.html", context, status=422 if errors else 200)


def _get(request: HttpRequest, pk: int) -> Segment:
    segment = selectors.visible_segments(request.user).filter(pk=pk).first()
    if segment is None:
        raise Http404
    return segment


@page
@require_GET
def segment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _get(request, pk)
    entity = registry.maybe(segment.entity)
    error = ""
    rows: list[Any] = []
    next_cursor = None
    count = None
    if entity is None:
        error = _("This segment's kind of record no longer exists.")
    else:
        try:
            qs = selectors.members(request.user, segment)
            rows, next_cursor = paginate(qs, parse_ordering(entity, None),
                                         request.GET.get("cursor") or None, PAGE_SIZE)
            count = services.refresh_count(request.user, segment)
        except filters.FilterError as exc:
            error = exc.message
        except CursorError:
            return redirect(f"/segments/{segment.pk}/")
    members = [{"id": r.pk, "title": entity.title(r), "subtitle": entity.subtitle(r),
                "url": f"/{segment.entity}/{r.pk}/"} for r in rows] if entity else []
    return render(request, "segments/detail.html", {
        "segment": segment, "members": members, "count": count, "next_cursor": next_cursor,
        "error": error, "may_change": services.may_change(request.user, segment),
        "explanation": nl.explain(segment.entity, segment.filter, _language())
        if entity else "",
        "entity_label": str(entity.label_plural).capitalize() if entity else segment.entity,
        "list_url": f"/{segment.entity}/?" + urlencode({"filter": json.dumps(segment.filter)}),
    })


@page
@require_POST
def segment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _get(request, pk)
    if not services.may_change(request.user, segment):
        raise Http404
    segment.delete()
    messages.success(request, _("Segment deleted."))
    return redirect("/segments/")


@page
@require_POST
def segment_count(request: HttpRequest) -> HttpResponse:
    """The live count of the filter being edited (htmx)."""
    entity = _entity_param(request)
    try:
        node = parse_filter_param(request.POST.get("filter", "")) or {}
        count = selectors.matching(request.user, entity, node).count()
        explanation = nl.explain(entity, node, _language()) if node else ""
        error = ""
    except filters.FilterError as exc:
        count, explanation, error = None, "", exc.message
    return render(request, "segments/count.html", {
        "count": count, "error": error, "explanation": explanation})
