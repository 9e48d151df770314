"""Resource endpoints declared, not written: list, create, read, patch, delete, restore, history.

`resource_router("contacts", In=..., Patch=..., Out=...)` gives a ninja Router with every rule
of contract §2: cursor pagination, ordering, search, the filter language, If-Match versions,
Idempotency-Key, the recycle bin and record access on every path.
"""


import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import cache
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder
from pydantic import ConfigDict, create_model, field_validator

from . import access, audit, filters, records, registry, search
from .models import IdempotencyKey
from .pagination import paginate, parse_ordering

IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)
MAX_TEXT = 100_000


class ParameterError(ValueError):
    """A bad query parameter or header (HTTP 422 with its location)."""

    def __init__(self, message: str, loc: list[Any]):
        super().__init__(message)
        self.message = message
        self.loc = loc


MAX_INT = 2**63 - 1


def _unstorable(value: Any, depth: int = 0) -> str | None:
    """Why no database column could hold `value` (NUL in text, a whole number beyond 64 bits),
    or None."""
    if isinstance(value, str):
        return _("Text may not contain NUL characters.") if "\x00" in value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return _("The number is out of range.") if abs(value) > MAX_INT else None
    if depth > 20:
        return None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        return None
    for item in items:
        problem = _unstorable(item, depth + 1)
        if problem:
            return problem
    return None


class StrictSchema(Schema):
    """Input schemas refuse unknown fields (422 naming them), over-long text, NUL characters
    and whole numbers beyond 64 bits (no database column holds them)."""

    model_config = ConfigDict(extra="forbid", str_max_length=MAX_TEXT)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        problem = _unstorable(value)
        if problem:
            raise ValueError(problem)
        return value


class RecordOut(Schema):
    id: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    custom: dict[str, Any] = Field(default_factory=dict)


class OwnedOut(RecordOut):
    owner_id: int | None = None


class ListParams(Schema):
    limit: int = Field(50, ge=1, le=500, description="Page size (at most 500).")
    cursor: str | None = Field(None, max_length=2000,
                               description="`next_cursor` of the previous page.")
    ordering: str | None = Field(None, max_length=300,
                                 description="Comma-separated fields, `-` for descending.")
    q: str | None = Field(None, max_length=300, description="Search text.")
    filter: str | None = Field(None, max_length=50_000,
                               description="A JSON filter (the filter language).")
    with_count: bool = Field(False, description="Add the total `count` of matching records.")
    deleted: bool = Field(False, description="List the recycle bin instead.")


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=500, description="Page size (at most 500).")
    cursor: str | None = Field(None, max_length=2000,
                               description="`next_cursor` of the previous page.")


class AuditOut(Schema):
    id: int
    operation: str
    actor_id: int | None
    actor: str | None = Field(None, description="The username of who made the change.")
    at: dt.datetime
    changes: dict[str, Any] = Field(description="field → [before, after]")
    source: str

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class HistoryPage(Schema):
    items: list[AuditOut]
    next_cursor: str | None


class ErrorOut(Schema):
    detail: Any


ERRORS = {401: ErrorOut, 403: ErrorOut}


@cache
def page_schema(Out: type[Schema]) -> type[Schema]:
    """`{"items": [Out], "next_cursor": str|null, "count"?: int}` for a collection of `Out`."""
    return create_model(
        f"{Out.__name__}Page",
        __base__=Schema,
        items=(list[Out], ...),
        next_cursor=(str | None, None),
        count=(int | None, Field(None, description="Only with `with_count=1`.")),
    )


def collection(qs: QuerySet, params: PageParams, ordering: list[str] | None = None) -> dict:
    """One page of a plain collection (users, teams, views…), keyset-paginated like records."""
    items, next_cursor = paginate(qs, ordering or ["id"], params.cursor, params.limit)
    return {"items": items, "next_cursor": next_cursor}


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_filter_param(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise filters.FilterError(_("The filter is not valid JSON."), ["filter"]) from None


def parse_if_match(request_or_value: HttpRequest | str | None) -> int | None:
    """The integer version of an `If-Match` header (`3`, `"3"` or `W/"3"`), or None."""
    raw = (request_or_value.headers.get("If-Match")
           if isinstance(request_or_value, HttpRequest) else request_or_value)
    if raw is None:
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise ParameterError(_("Expected the record's integer version."), ["header", "If-Match"])
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
        # The recycle bin is not in the search index: its records are matched one by one.
        qs = (search.filter_unindexed(qs, entity_name, params.q) if params.deleted
              else search.filter_queryset(qs, entity_name, params.q))
    return qs


def idempotent_create(request: HttpRequest, create: Callable[[], Any],
                      dump: Callable[[Any], dict]) -> Any:
    """Run `create` once per Idempotency-Key and request body; replay the first response.

    The key row is written in the same transaction as the record, and its unique constraint
    decides between concurrent requests: the loser's record is rolled back and it replays the
    winner's response.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return Status(201, create())
    if not key.strip() or len(key) > 200:
        raise ParameterError(_("Give a key of 1 to 200 characters."),
                             ["header", "Idempotency-Key"])
    body_hash = hashlib.sha256(request.body or b"").hexdigest()
    user = request.auth
    IdempotencyKey.objects.filter(
        user=user, key=key, created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW
    ).delete()

    def replay(stored: IdempotencyKey) -> JsonResponse:
        if stored.body_hash != body_hash or stored.path != request.path:
            raise ParameterError(_("This key was already used with a different request."),
                                 ["header", "Idempotency-Key"])
        response = JsonResponse(stored.response, status=stored.status_code or 201)
        response["Idempotent-Replayed"] = "true"
        return response

    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is not None:
        return replay(stored)
    try:
        with transaction.atomic():
            obj = create()
            IdempotencyKey.objects.create(user=user, key=key, method=request.method,
                                          path=request.path, body_hash=body_hash,
                                          status_code=201, response=dump(obj))
    except IntegrityError:
        stored = IdempotencyKey.objects.filter(user=user, key=key).first()
        if stored is None:
            raise
        return replay(stored)
    return Status(201, obj)


def response_json(Out: type[Schema]) -> Callable[[Any], dict]:
    """The JSON body a response of `Out` carries, for replaying it byte for byte."""
    def dump(obj: Any) -> dict:
        return json.loads(json.dumps(Out.from_orm(obj).model_dump(), cls=NinjaJSONEncoder))

    return dump


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
    Page = page_schema(Out)
    op = entity_name.replace("-", "_")

    def base(deleted: bool = False) -> QuerySet:
        qs = queryset() if queryset else entity.model.all_objects.all()
        return qs.filter(deleted_at__isnull=not deleted)

    out = response_json(Out)

    def reload(pk: int):
        return base().get(pk=pk)

    @router.get("", response={200: Page, 422: ErrorOut, **ERRORS}, operation_id=f"{op}_list",
                summary=f"List {entity_name}", exclude_unset=True,
                description="Cursor-paginated; `filter` takes the JSON filter language.")
    def list_records(request, params: Query[ListParams]):
        qs = list_queryset(request.auth, entity_name, params, base(params.deleted))
        ordering = parse_ordering(entity, params.ordering)
        items, next_cursor = paginate(qs, ordering, params.cursor, params.limit)
        page = Page(items=items, next_cursor=next_cursor)
        if params.with_count:
            page.count = qs.count()
        return page

    @router.post("", response={201: Out, 422: ErrorOut, **ERRORS}, operation_id=f"{op}_create",
                 summary=f"Create a record in {entity_name}",
                 description="Send `Idempotency-Key` to make retries safe.")
    def create_record(request, payload: In,
                      idempotency_key: str | None = Header(None, alias="Idempotency-Key",
                                                           max_length=200)):
        user = request.auth
        access.require_create(user, entity_name)

        def create():
            obj = records.create(entity_name, payload.model_dump(exclude_unset=True), actor=user,
                                 source="api")
            return reload(obj.pk)

        return idempotent_create(request, create, out)

    @router.get("/{int:record_id}", response={200: Out, 404: ErrorOut, **ERRORS},
                operation_id=f"{op}_get", summary=f"Read a record of {entity_name}")
    def get_record(request, record_id: int):
        return get_visible(request.auth, entity_name, record_id, base())

    @router.patch("/{int:record_id}", response={200: Out, 404: ErrorOut, 412: ErrorOut,
                                                422: ErrorOut, **ERRORS},
                  operation_id=f"{op}_update", summary=f"Change a record of {entity_name}",
                  description="Send `If-Match: <version>`; a stale version gets 412.")
    def patch_record(request, record_id: int, payload: Patch,
                     if_match: str | None = Header(None, alias="If-Match", max_length=40)):
        user = request.auth
        expected = parse_if_match(if_match)
        obj = get_visible(user, entity_name, record_id, base())
        access.require(user, obj, "change")
        records.update(obj, payload.model_dump(exclude_unset=True), actor=user,
                       expected_version=expected, source="api")
        return reload(record_id)

    @router.delete("/{int:record_id}", response={204: None, 404: ErrorOut, 412: ErrorOut,
                                                 **ERRORS},
                   operation_id=f"{op}_delete",
                   summary=f"Move a record of {entity_name} to the recycle bin")
    def delete_record(request, record_id: int,
                      if_match: str | None = Header(None, alias="If-Match", max_length=40)):
        user = request.auth
        expected = parse_if_match(if_match)
        obj = get_visible(user, entity_name, record_id, base())
        access.require(user, obj, "delete")
        records.delete(obj, actor=user, expected_version=expected)
        return HttpResponse(status=204)

    @router.post("/{int:record_id}/restore", response={200: Out, 404: ErrorOut, **ERRORS},
                 operation_id=f"{op}_restore",
                 summary=f"Restore a record of {entity_name} from the recycle bin")
    def restore_record(request, record_id: int):
        user = request.auth
        obj = get_visible(user, entity_name, record_id, base(deleted=True), deleted=True)
        access.require(user, obj, "delete")
        records.restore(obj, actor=user)
        return reload(record_id)

    @router.get("/{int:record_id}/history", response={200: HistoryPage, 404: ErrorOut,
                                                      422: ErrorOut, **ERRORS},
                operation_id=f"{op}_history",
                summary=f"Changes of a record of {entity_name}, newest first")
    def record_history(request, record_id: int, params: Query[PageParams]):
        user = request.auth
        get_visible(user, entity_name, record_id, entity.model.all_objects.all())
        entries = audit.history(entity_name, record_id)
        items, next_cursor = paginate(entries, ["-id"], params.cursor, params.limit)
        return {"items": items, "next_cursor": next_cursor}

    return router

