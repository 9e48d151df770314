"""REST endpoints of the segments module (contract §4 and §5)."""

from __future__ import annotations

import importlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from ninja.responses import NinjaJSONEncoder

from vinculo.platform import access, filters, registry
from vinculo.platform.crud import (
    ERRORS,
    ErrorOut,
    PageParams,
    collection,
    idempotent_create,
    page_schema,
    parse_if_match,
    response_json,
)
from vinculo.platform.pagination import paginate, parse_ordering
from vinculo.platform.records import StaleVersion

from . import nl, selectors, services
from .models import Segment
from .schemas import (
    CountIn,
    CountOut,
    InterpretIn,
    InterpretOut,
    MembersPage,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
)

router = Router(tags=["segments"])

# the API shape of members, as the entity's own endpoint gives it
OUT_SCHEMAS = {
    "contacts": "vinculo.customers.schemas:ContactOut",
    "accounts": "vinculo.customers.schemas:AccountOut",
    "leads": "vinculo.sales.leads.schemas:LeadOut",
    "opportunities": "vinculo.sales.pipeline.schemas:OpportunityOut",
}


class SegmentParams(PageParams):
    entity: str | None = Field(None, max_length=40, description="Only segments of this entity.")


class MemberParams(PageParams):
    ordering: str | None = Field(None, max_length=300)
    with_count: bool = Field(False, description="Add the total `count` of members.")


def _entity(name: str) -> registry.Entity:
    entity = registry.maybe(name)
    if entity is None:
        raise ValidationError({"entity": [_("Unknown entity '%(entity)s'.") % {"entity": name}]})
    return entity


def _visible(request, segment_id: int) -> Segment:
    segment = selectors.visible_segments(request.auth).filter(pk=segment_id).first()
    if segment is None:
        raise Http404
    return segment


def _own(request, segment_id: int) -> Segment:
    segment = _visible(request, segment_id)
    if not services.may_change(request.auth, segment):
        raise access.PermissionDenied(_("Only the owner may change this segment."))
    return segment


def _filter_error(exc: filters.FilterError) -> ValidationError:
    return ValidationError({".".join(str(p) for p in exc.loc) or "filter": [exc.message]})


def member_dump(entity: registry.Entity, obj: Any) -> dict[str, Any]:
    """A member as its entity's API gives it; id, title and subtitle at least."""
    base = {"id": obj.pk, "title": entity.title(obj), "subtitle": entity.subtitle(obj)}
    target = OUT_SCHEMAS.get(entity.name)
    if target:
        module, _sep, name = target.partition(":")
        try:
            out = getattr(importlib.import_module(module), name)
            data = json.loads(json.dumps(out.from_orm(obj).model_dump(), cls=NinjaJSONEncoder))
            return {**base, **data}
        except Exception:  # an entity whose shape needs more than the row: the essentials
            return base
    return base


@router.get("/segments", response={200: page_schema(SegmentOut), 422: ErrorOut, **ERRORS},
            summary="List the segments you may use")
def list_segments(request, params: Query[SegmentParams]):
    return collection(selectors.visible_segments(request.auth, params.entity), params, ["id"])


@router.post("/segments", response={201: SegmentOut, 422: ErrorOut, **ERRORS},
             summary="Create a segment",
             description="The filter is checked against the entity: an unknown field, "
                         "operator or ill-typed value is a 422 naming it.")
def create_segment(request, payload: SegmentIn):
    return idempotent_create(request, lambda: services.save(request.auth, payload.model_dump()),
                             response_json(SegmentOut))


@router.post("/segments/interpret", response={200: InterpretOut, 422: ErrorOut, **ERRORS},
             summary="Understand a sentence as a filter (English or Spanish)",
             description='`{"entity": "contacts", "text": "clientes de Madrid que compraron '
                         'más de 3 veces este año", "language": "es"}` → the filter, an '
                         "explanation, the words not understood and how many records match.")
def interpret(request, payload: InterpretIn):
    entity = _entity(payload.entity)
    result = nl.interpret(entity.name, payload.text, payload.language)
    try:
        count = selectors.matching(request.auth, entity.name, result.filter).count()
    except filters.FilterError as exc:  # never expected: the parser writes valid filters
        raise _filter_error(exc) from None
    node = result.filter
    parts = node["all"] if set(node) == {"all"} else ([node] if node else [])
    return {"filter": node, "explanation": result.explanation,
            "unrecognized": result.unrecognized, "count": count,
            "language": result.language,
            "conditions": [{"filter": part,
                            "explanation": nl.explain(entity.name, part, result.language)}
                           for part in parts]}


@router.post("/segments/count", response={200: CountOut, 422: ErrorOut, **ERRORS},
             summary="Count the records a filter selects (for a segment being edited)")
def count_filter(request, payload: CountIn):
    entity = _entity(payload.entity)
    try:
        return {"count": selectors.matching(request.auth, entity.name, payload.filter).count()}
    except filters.FilterError as exc:
        raise _filter_error(exc) from None


@router.get("/segments/{int:segment_id}", response={200: SegmentOut, 404: ErrorOut, **ERRORS},
            summary="Read a segment")
def get_segment(request, segment_id: int):
    return _visible(request, segment_id)


@router.patch("/segments/{int:segment_id}", response={200: SegmentOut, 404: ErrorOut,
                                                       412: ErrorOut, 422: ErrorOut, **ERRORS},
              summary="Change a segment (its owner)")
def update_segment(request, segment_id: int, payload: SegmentPatch):
    expected = parse_if_match(request)
    segment = _own(request, segment_id)
    if expected is not None and expected != segment.version:
        raise StaleVersion(segment.version)
    return services.save(request.auth, payload.model_dump(exclude_unset=True), segment)


@router.delete("/segments/{int:segment_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Delete a segment (its owner)")
def delete_segment(request, segment_id: int):
    _own(request, segment_id).delete()
    return HttpResponse(status=204)


@router.get("/segments/{int:segment_id}/members",
            response={200: MembersPage, 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="The segment's current members",
            description="Computed now by the database, through your record permissions; "
                        "cursor-paginated like every collection; `with_count=1` adds `count` "
                        "(and remembers it on the segment).")
def segment_members(request, segment_id: int, params: Query[MemberParams]):
    segment = _visible(request, segment_id)
    entity = registry.get(segment.entity)
    try:
        qs = selectors.members(request.auth, segment)
    except filters.FilterError as exc:  # a field removed since the segment was saved
        raise _filter_error(exc) from None
    ordering = parse_ordering(entity, params.ordering)
    listed = qs.prefetch_related("tags") if "tags" in entity.filter_fields else qs
    rows, next_cursor = paginate(listed, ordering, params.cursor, params.limit)
    page: dict[str, Any] = {"items": [member_dump(entity, r) for r in rows],
                            "next_cursor": next_cursor}
    if params.with_count:
        page["count"] = services.refresh_count(request.auth, segment)
    return page
