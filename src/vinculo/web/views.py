"""The pages that are not one resource's: sign-in, home, dashboard and global search."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from vinculo.activities import selectors
from vinculo.platform import access, registry, search

from . import resources
from .base import is_htmx_target, page
from .resources import record_url

SEARCH_PAGE_LIMIT = 60
SEARCH_POPOVER_LIMIT = 8
PICKER_LIMIT = 8
MINE = urlencode({"filter": json.dumps({"field": "owner_id", "op": "eq", "value": "me"})})


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires)."""


@page
def home(request: HttpRequest) -> HttpResponse:
    return redirect("/dashboard/")


@page
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    tasks = selectors.open_tasks(user, limit=8)
    recent = list(
        access.scope(user, "activities").select_related("contact", "account", "owner")
        .order_by("-occurred_at", "-id")[:8]
    )
    return render(request, "web/dashboard.html", {
        "tasks": tasks, "recent": recent, "now": now, "counts": my_counts(user),
        "quick_links": quick_links(user),
    })


def my_counts(user: Any) -> list[dict]:
    """How many records the user owns, per owned entity with pages (one indexed query each)."""
    found = []
    for resource in resources.all_resources():
        entity = resource.definition
        if not entity.owned or access.role_scope(user, entity.name, "view") == "none":
            continue
        total = entity.model.objects.filter(owner=user).count()
        found.append({"label": resource.label_plural, "count": total,
                      "url": f"/{entity.name}/?{MINE}",
                      "icon": resource.icon or entity.name})
    return found


def quick_links(user: Any) -> list[dict]:
    links = []
    for name in ("contacts", "accounts", "activities", "orders"):
        resource = resources.maybe(name)
        if resource is not None and access.can_create(user, name):
            links.append({"label": resource.label, "url": f"/{name}/new/",
                          "icon": resource.icon or name})
    return links


@page
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:300]
    entity = request.GET.get("entity", "")
    if entity:
        return picker_results(request, q, entity)
    popover = is_htmx_target(request, "search-popover")
    limit = SEARCH_POPOVER_LIMIT if popover else SEARCH_PAGE_LIMIT
    hits = search.query(request.user, q, limit=limit) if q else []
    context = {"q": q, "groups": group_hits(hits), "count": len(hits)}
    if popover:
        return render(request, "web/search.html#popover", context)
    return render(request, "web/search.html", context)


def group_hits(hits: list[search.Hit]) -> list[dict]:
    groups: OrderedDict[str, dict] = OrderedDict()
    for hit in hits:
        if hit.entity not in groups:
            definition = registry.maybe(hit.entity)
            label = definition.label_plural if definition else hit.entity
            groups[hit.entity] = {"entity": hit.entity, "label": label, "hits": []}
        groups[hit.entity]["hits"].append(
            {"title": hit.title or f"#{hit.record_id}", "subtitle": hit.subtitle,
             "url": record_url(hit.entity, hit.record_id)})
    return list(groups.values())


def picker_results(request: HttpRequest, q: str, entity: str) -> HttpResponse:
    """Choices for a record picker in a form: records of one entity matching the text."""
    if registry.maybe(entity) is None or not q:
        hits = []
    else:
        hits = search.query(request.user, q, entities=[entity], limit=PICKER_LIMIT)
    return render(request, "web/widgets/picker_results.html", {"hits": hits, "q": q})
