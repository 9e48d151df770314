"""The list page of every resource: search, filter builder, saved views, sorting, cursor pages,
an on-demand count and bulk actions (assign owner, add tag, delete, restore; export posts to
the export page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError as ParameterError

from vinculo.identity.models import User
from vinculo.platform import access, filters, records, views_service
from vinculo.platform.crud import ListParams, list_queryset
from vinculo.platform.models import CustomField, SavedView, Visibility
from vinculo.platform.pagination import CursorError, OrderingError, parse_ordering

from . import columns as cols
from .base import is_htmx_target, page, safe_next
from .paging import Page
from .paging import page as cursor_page
from .resources import Resource

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_BULK = 500

OP_LABELS = {
    "eq": gettext_lazy("is"), "ieq": gettext_lazy("is (any case)"), "ne": gettext_lazy("is not"),
    "lt": gettext_lazy("less than"), "lte": gettext_lazy("at most"),
    "gt": gettext_lazy("greater than"), "gte": gettext_lazy("at least"),
    "in": gettext_lazy("is one of"), "not_in": gettext_lazy("is none of"),
    "contains": gettext_lazy("contains"), "icontains": gettext_lazy("contains (any case)"),
    "startswith": gettext_lazy("starts with"), "is_null": gettext_lazy("is empty"),
    "between": gettext_lazy("between"),
    "within_last_days": gettext_lazy("in the last … days"),
    "older_than_days": gettext_lazy("more than … days ago"),
}


@dataclass
class ListState:
    """What the list shows, read from the address (a saved view fills what it does not say)."""

    resource: Resource
    q: str = ""
    filter_text: str = ""
    ordering_text: str = ""
    column_keys: list[str] = field(default_factory=list)
    cursor: str | None = None
    before: str | None = None
    deleted: bool = False
    limit: int = DEFAULT_PAGE_SIZE
    view: SavedView | None = None

    def params(self, **changes: Any) -> dict[str, Any]:
        values = {"q": self.q, "filter": self.filter_text, "ordering": self.ordering_text,
                  "columns": self.column_keys, "view": self.view.pk if self.view else "",
                  "deleted": "1" if self.deleted else "",
                  "limit": self.limit if self.limit != DEFAULT_PAGE_SIZE else ""}
        values.update(changes)
        return {k: v for k, v in values.items() if v not in ("", None, [])}

    def url(self, **changes: Any) -> str:
        return f"/{self.resource.entity}/?{urlencode(self.params(**changes), doseq=True)}"

    def list_params(self) -> ListParams:
        return ListParams(limit=self.limit, cursor=self.cursor, q=self.q or None,
                          filter=self.filter_text or None, deleted=self.deleted)


def read_state(request: HttpRequest, resource: Resource) -> ListState:
    get = request.GET
    state = ListState(resource)
    view_id = get.get("view", "")
    if view_id.isdigit():
        state.view = (views_service.views_visible_to(request.user, resource.entity)
                      .filter(pk=int(view_id)).first())
    view = state.view
    submitted = "filter" in get  # the list's own form always sends the filter, maybe empty
    state.q = get.get("q", "").strip()[:300]
    state.filter_text = (get.get("filter", "").strip() if submitted
                         else json.dumps(view.filter) if view and view.filter else "")
    state.ordering_text = (get.get("ordering", "")[:300] if "ordering" in get
                           else ",".join(view.ordering) if view else "")
    state.column_keys = (get.getlist("columns") if submitted or "columns" in get
                         else list(view.columns) if view else [])
    state.cursor = get.get("cursor") or None
    state.before = get.get("before") or None
    state.deleted = get.get("deleted") == "1"
    limit = get.get("limit", "")
    state.limit = int(limit) if limit.isdigit() and int(limit) in PAGE_SIZES else DEFAULT_PAGE_SIZE
    return state


@dataclass
class Results:
    page: Page
    columns: list[cols.Column]
    rows: list[tuple[Any, list[cols.Cell]]]
    ordering: list[str]
    error: str = ""


def fetch(request: HttpRequest, state: ListState, available: list[cols.Column]) -> Results:
    entity = state.resource.definition
    chosen = cols.resolve(entity, state.column_keys, available)
    try:
        ordering = parse_ordering(entity, state.ordering_text)
    except OrderingError:
        ordering = parse_ordering(entity, None)
    try:
        qs = list_queryset(request.user, entity.name, state.list_params(), base_queryset(state))
        qs = cols.optimise(qs, chosen)
        result = cursor_page(qs, ordering, cursor=state.cursor, before=state.before,
                             limit=state.limit)
    except filters.FilterError as exc:
        return Results(Page([], None, None), chosen, [], ordering,
                       error=_("The filter is not valid: %(msg)s") % {"msg": exc.message})
    except (CursorError, ParameterError):
        return Results(Page([], None, None), chosen, [], ordering,
                       error=_("This page link is no longer valid; go back to the first page."))
    visible = cols.visible_related_ids(request.user, result.rows, chosen)
    rows = [(obj, cols.cells(entity, obj, chosen, visible)) for obj in result.rows]
    return Results(result, chosen, rows, ordering)


def base_queryset(state: ListState):
    model = state.resource.definition.model
    return model.all_objects.filter(deleted_at__isnull=not state.deleted)


def header_links(state: ListState, results: Results) -> list[dict[str, Any]]:
    primary = results.ordering[0] if results.ordering else ""
    headers = []
    for column in results.columns:
        direction = ""
        url = ""
        if column.sort:
            if primary.lstrip("-") == column.sort:
                direction = "desc" if primary.startswith("-") else "asc"
            target = f"-{column.sort}" if direction == "asc" else column.sort
            url = state.url(ordering=target)
        headers.append({"column": column, "url": url, "direction": direction})
    return headers


def builder_config(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    users = [[u.pk, u.display_name()] for u in User.objects.filter(is_active=True).only(
        "id", "username", "first_name", "last_name")]
    fields = [{**f, "label": f["label"][:1].upper() + f["label"][1:]}
              for f in filters.describe_fields(resource.entity)]
    return {
        "fields": fields,
        "users": users,
        "ops": {k: str(v) for k, v in OP_LABELS.items()},
        "text": {
            "all": _("all of these conditions"), "any": _("any of these conditions"),
            "match": _("Match"), "add": _("Add condition"), "remove": _("Remove condition"),
            "apply": _("Apply"), "clear": _("Clear"), "yes": _("Yes"), "no": _("No"),
            "me": _("Me"), "value": _("Value"), "and": _("and"), "field": _("Field"),
            "operator": _("Operator"),
            "json": _("Edit as JSON"), "visual": _("Edit visually"),
            "complex": _("This filter has nested groups or related-record conditions; edit it "
                         "as JSON."),
            "badjson": _("This is not valid JSON."),
            "listhint": _("Separate values with commas"), "days": _("days"),
            "empty": _("No conditions: every record is shown."),
        },
    }


@page
@require_GET
def list_view(request: HttpRequest, resource: Resource) -> HttpResponse:
    state = read_state(request, resource)
    defs = ({d.key: d for d in CustomField.objects.filter(entity=resource.entity)}
            if resource.definition.custom_fields else {})
    available = cols.available_columns(resource.definition, defs)
    results = fetch(request, state, available)
    keys = [c.key for c in results.columns]
    link_key = resource.link_column if resource.link_column in keys else (keys[0] if keys else "")
    context = {
        "resource": resource, "state": state, "results": results, "link_key": link_key,
        "headers": header_links(state, results),
        "can_create": access.can_create(request.user, resource.entity),
        "next_url": state.url(cursor=results.page.next_cursor)
        if results.page.next_cursor else "",
        "previous_url": state.url(before=results.page.previous_cursor)
        if results.page.previous_cursor else "",
        "first_url": state.url() if (state.cursor or state.before) else "",
        "current_url": state.url(cursor=state.cursor or "", before=state.before or ""),
        "owners": User.objects.filter(is_active=True).only("id", "username", "first_name",
                                                           "last_name"),
        "page_sizes": PAGE_SIZES,
        "bulk_menus": [m for menu in BULK_MENUS if (m := menu(request, resource))],
    }
    if is_htmx_target(request, "results"):
        return render(request, "web/list.html#results", context)
    selected = set(c.key for c in results.columns)
    context.update({
        "available_columns": [(c, c.key in selected) for c in available],
        "saved_views": views_service.views_visible_to(request.user, resource.entity),
        "builder": builder_config(request, resource),
        "visibilities": Visibility.choices,
    })
    return render(request, "web/list.html", context)


@page
@require_GET
def count_view(request: HttpRequest, resource: Resource) -> HttpResponse:
    state = read_state(request, resource)
    try:
        qs = list_queryset(request.user, resource.entity, state.list_params(),
                           base_queryset(state))
        total = qs.count()
    except (filters.FilterError, ParameterError):
        return HttpResponse("—")
    text = ngettext("%(count)s record", "%(count)s records", total) % {
        "count": f"{total:,}"}
    return HttpResponse(text)


# ------------------------------------------------------------------------------ bulk actions

# Menus other modules add to the bulk bar: f(request, resource) -> rendered HTML or None.
BULK_MENUS: list[Any] = []

BULK_ACTIONS = {"assign_owner": "change", "add_tag": "change", "delete": "delete",
                "restore": "delete"}


@page
@require_POST
def bulk_view(request: HttpRequest, resource: Resource) -> HttpResponse:
    back = safe_next(request, f"/{resource.entity}/")
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        messages.error(request, _("Choose an action."))
        return redirect(back)
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()][:MAX_BULK]
    if not ids:
        messages.error(request, _("Select at least one record."))
        return redirect(back)
    model = resource.definition.model
    base = model.all_objects.filter(pk__in=ids, deleted_at__isnull=action != "restore")
    allowed = list(access.scope(request.user, resource.entity, BULK_ACTIONS[action], base))
    try:
        done, failed = run_bulk(request, resource, action, allowed)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    skipped = len(ids) - len(allowed)
    report_bulk(request, done, failed, skipped)
    return redirect(back)


def run_bulk(request: HttpRequest, resource: Resource, action: str,
             objects: list[Any]) -> tuple[int, list[str]]:
    user = request.user
    data: dict[str, Any] = {}
    if action == "assign_owner":
        owner = request.POST.get("owner_id", "")
        if not owner.isdigit() or not User.objects.filter(pk=int(owner), is_active=True).exists():
            raise ValidationError(_("Choose the new owner."))
        data = {"owner_id": int(owner)}
    tag = request.POST.get("tag", "").strip()
    if action == "add_tag" and not tag:
        raise ValidationError(_("Type the tag to add."))
    done, failed = 0, []
    for obj in objects:
        try:
            if action == "delete":
                records.delete(obj, actor=user, source="web")
            elif action == "restore":
                records.restore(obj, actor=user, source="web")
            elif action == "add_tag":
                names = [t.name for t in obj.tags.all()]
                if tag not in names:
                    records.update(obj, {"tags": [*names, tag]}, actor=user, source="web")
            else:
                records.update(obj, data, actor=user, source="web")
            done += 1
        except ValidationError as exc:
            title = str(resource.definition.title(obj) or f"#{obj.pk}")
            failed.append(f"{title}: {' '.join(exc.messages)}")
    return done, failed


def report_bulk(request: HttpRequest, done: int, failed: list[str], skipped: int) -> None:
    if done:
        messages.success(request, ngettext("%(n)d record changed.", "%(n)d records changed.",
                                           done) % {"n": done})
    if skipped:
        messages.warning(request, ngettext(
            "%(n)d record was skipped: you may not change it.",
            "%(n)d records were skipped: you may not change them.", skipped) % {"n": skipped})
    for line in failed[:10]:
        messages.error(request, line)


# ------------------------------------------------------------------------------ saved views


@page
@require_POST
def view_create(request: HttpRequest, resource: Resource) -> HttpResponse:
    back = safe_next(request, f"/{resource.entity}/")
    try:
        data = view_data(request, resource)
        data["entity"] = resource.entity
        view = views_service.view_save(request.user, data)
    except ValidationError as exc:
        messages.error(request, view_error(exc))
        return redirect(back)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"/{resource.entity}/?view={view.pk}")


@page
@require_POST
def view_change(request: HttpRequest, resource: Resource, view_id: int) -> HttpResponse:
    view = (views_service.views_visible_to(request.user, resource.entity)
            .filter(pk=view_id).first())
    if view is None:
        raise Http404
    if view.owner_id != request.user.pk and not access.is_admin(request.user):
        raise access.PermissionDenied(_("Only the owner may change this view."))
    if request.POST.get("action") == "delete":
        view.delete()
        messages.success(request, _("View deleted."))
        return redirect(f"/{resource.entity}/")
    try:
        data = view_data(request, resource, partial=True)
        views_service.view_save(request.user, data, view)
    except ValidationError as exc:
        messages.error(request, view_error(exc))
        return redirect(safe_next(request, f"/{resource.entity}/?view={view.pk}"))
    messages.success(request, _("View “%(name)s” updated.") % {"name": view.name})
    return redirect(f"/{resource.entity}/?view={view.pk}")


def view_data(request: HttpRequest, resource: Resource, partial: bool = False) -> dict:
    post = request.POST
    data: dict[str, Any] = {}
    name = post.get("name", "").strip()
    if name or not partial:
        if not name:
            raise ValidationError({"name": [_("Give the view a name.")]})
        data["name"] = name[:120]
    text = post.get("filter", "").strip()
    try:
        data["filter"] = json.loads(text) if text else {}
    except json.JSONDecodeError:
        raise ValidationError({"filter": [_("The filter is not valid JSON.")]}) from None
    data["ordering"] = [k.strip() for k in post.get("ordering", "").split(",") if k.strip()]
    data["columns"] = [c for c in post.getlist("columns") if c][:50]
    visibility = post.get("visibility")
    if visibility or not partial:
        if visibility not in Visibility.values:
            raise ValidationError({"visibility": [_("Choose who can see the view.")]})
        data["visibility"] = visibility
        data["shared_with_user_ids"] = [int(v) for v in post.getlist("shared_with") if v.isdigit()]
    return data


def view_error(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{' '.join(msgs)}" for msgs in exc.message_dict.values())
    return " ".join(exc.messages)
