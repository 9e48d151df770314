"""Resource endpoints declared, not written: list, create, read, patch, delete, restore, history.

`resource_router("contacts", In=..., Patch=..., Out=...)` gives a ninja Router with every rule
of contract §2: cursor pagination, ordering, search, the filter language, If-Match versions,
Idempotency-Key, the recycle bin and record access on every path.
"""


import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, create_model

from . import access, audit, filters, records, registry, search
from .models import IdempotencyKey
from .pagination import paginate, parse_ordering

IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)


class StrictSchema(Schema):
    """Input schemas refuse unknown fields (422 naming them)."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)


class RecordOut(Schema):
    id: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    custom: dict[str, Any] = Field(default_factory=dict)


class OwnedOut(RecordOut):
    owner_id: int | None = None


class ListParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    cursor: str | None = Field(None, max_length=2000)
    ordering: str | None = Field(None, max_length=300)
    q: str | None = Field(None, max_length=300)
    filter: str | None = Field(None, max_length=50_000)
    with_count: bool = False
    deleted: bool = Field(False, description="List the recycle bin instead.")


class AuditOut(Schema):
    id: int
    operation: str
    actor_id: int | None
    at: dt.datetime
    changes: dict[str, Any]
    source: str


class HistoryPage(Schema):
    items: list[AuditOut]
    next_cursor: str | None


class ErrorOut(Schema):
    detail: Any


def parse_filter_param(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise filters.FilterError("The filter is not valid JSON.", ["filter"]) from None


def parse_if_match(request: HttpRequest) -> int | None:
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        from django.core.exceptions import ValidationError

        raise ValidationError({"If-Match": ["Expected the record's integer version."]})
    return int(text)


def visible(user, entity: str, queryset: QuerySet | None = None, *, deleted: bool = False
            ) -> QuerySet:
    model = registry.get(entity).model
    if queryset is None:
        queryset = model.all_objects.filter(deleted_at__isnull=not deleted)
    return access.scope(user, entity, "view", queryset)


def get_visible(user, entity: str, pk: int, queryset: QuerySet | None = None, *,
                deleted: bool = False):
    obj = visible(user, entity, queryset, deleted=deleted).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def list_queryset(user, entity_name: str, params: ListParams, base: QuerySet | None = None
                  ) -> QuerySet:
    """The scoped, filtered, searched queryset behind a list (API, pages and exports)."""
    qs = visible(user, entity_name, base, deleted=params.deleted)
    node = parse_filter_param(params.filter)
    if node is not None:
        qs = qs.filter(filters.compile_filter(entity_name, node, user=user))
    if params.q:
        qs = search.filter_queryset(qs, entity_name, params.q)
    return qs


def idempotent_create(request: HttpRequest, create: Callable[[], Any],
                      dump: Callable[[Any], dict]) -> Any:
    """Run `create` once per Idempotency-Key and request body; replay the first response."""
    key = request.headers.get("Idempotency-Key")
    if not key:
        return Status(201, create())
    from django.core.exceptions import ValidationError

    if len(key) > 200:
        raise ValidationError({"Idempotency-Key": ["At most 200 characters."]})
    body_hash = hashlib.sha256(request.body or b"").hexdigest()
    user = request.auth
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW
    ).delete()

    def replay() -> JsonResponse:
        stored = IdempotencyKey.objects.get(user=user, key=key)
        if stored.body_hash != body_hash or stored.path != request.path:
            raise ValidationError({"Idempotency-Key": [
                "This key was already used with a different request."]})
        response = JsonResponse(stored.response, status=stored.status_code or 201)
        response["Idempotent-Replayed"] = "true"
        return response

    if IdempotencyKey.objects.filter(user=user, key=key).exists():
        return replay()
    try:
        with transaction.atomic():
            obj = create()
            IdempotencyKey.objects.create(user=user, key=key, method=request.method,
                                          path=request.path, body_hash=body_hash,
                                          status_code=201, response=dump(obj))
    except IntegrityError:
        return replay()
    return Status(201, obj)


def resource_router(
    entity_name: str,
    *,
    In: type[Schema],
    Patch: type[Schema],
    Out: type[Schema],
    queryset: Callable[[], QuerySet] | None = None,
    tags: list[str] | None = None,
) -> Router:
    router = Router(tags=tags or [entity_name])
    entity = registry.get(entity_name)
    Page = create_model(
        f"{Out.__name__}Page",
        __base__=Schema,
        items=(list[Out], ...),
        next_cursor=(str | None, None),
        count=(int | None, None),
    )

    def base(deleted: bool = False) -> QuerySet:
        qs = queryset() if queryset else entity.model.all_objects.all()
        return qs.filter(deleted_at__isnull=not deleted)

    def out(obj) -> dict:
        return Out.from_orm(obj).model_dump(mode="json")

    def reload(pk: int):
        return base().get(pk=pk)

    @router.get("", response={200: Page}, summary=f"List {entity_name}")
    def list_records(request, params: Query[ListParams]):
        qs = list_queryset(request.auth, entity_name, params, base(params.deleted))
        ordering = parse_ordering(entity, params.ordering)
        items, next_cursor = paginate(qs, ordering, params.cursor, params.limit)
        page: dict[str, Any] = {"items": items, "next_cursor": next_cursor}
        if params.with_count:
            page["count"] = qs.count()
        return page

    @router.post("", response={201: Out, 422: ErrorOut}, summary=f"Create a record in {entity_name}")
    def create_record(request, payload: In):
        user = request.auth
        access.require_create(user, entity_name)

        def create():
            obj = records.create(entity_name, payload.model_dump(exclude_unset=True), actor=user,
                                 source="api")
            return reload(obj.pk)

        return idempotent_create(request, create, out)

    @router.get("/{int:record_id}", response={200: Out, 404: ErrorOut})
    def get_record(request, record_id: int):
        return get_visible(request.auth, entity_name, record_id, base())

    @router.patch("/{int:record_id}", response={200: Out, 404: ErrorOut, 412: ErrorOut,
                                                422: ErrorOut})
    def patch_record(request, record_id: int, payload: Patch):
        user = request.auth
        obj = get_visible(user, entity_name, record_id, base())
        access.require(user, obj, "change")
        records.update(obj, payload.model_dump(exclude_unset=True), actor=user,
                       expected_version=parse_if_match(request), source="api")
        return reload(record_id)

    @router.delete("/{int:record_id}", response={204: None, 404: ErrorOut, 412: ErrorOut})
    def delete_record(request, record_id: int):
        user = request.auth
        obj = get_visible(user, entity_name, record_id, base())
        access.require(user, obj, "delete")
        records.delete(obj, actor=user, expected_version=parse_if_match(request))
        return HttpResponse(status=204)

    @router.post("/{int:record_id}/restore", response={200: Out, 404: ErrorOut})
    def restore_record(request, record_id: int):
        user = request.auth
        obj = get_visible(user, entity_name, record_id, base(deleted=True), deleted=True)
        access.require(user, obj, "delete")
        records.restore(obj, actor=user)
        return reload(record_id)

    @router.get("/{int:record_id}/history", response={200: HistoryPage, 404: ErrorOut})
    def record_history(request, record_id: int, limit: int = Query(50, ge=1, le=500),
                       cursor: str | None = Query(None, max_length=200)):
        user = request.auth
        obj = visible(user, entity_name, entity.model.all_objects.all()).filter(
            pk=record_id).first()
        if obj is None:
            raise Http404
        entries = audit.history(entity_name, record_id)
        items, next_cursor = paginate(entries, ["-id"], cursor, limit)
        return {"items": items, "next_cursor": next_cursor}

    return router
