"""REST endpoints of the assignment module: `assignment-rules` (administrators), applying the
rules to a selection, and the assignment log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from vinculo.platform import access, registry
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
from vinculo.platform.records import StaleVersion

from . import services
from .models import Assignment, AssignmentRule
from .schemas import ApplyIn, ApplyOut, AssignmentOut, MoveIn, RuleIn, RuleOut, RulePatch

router = Router(tags=["assignment-rules"])


class RuleListParams(PageParams):
    entity: str | None = Field(None, max_length=40)


class LogParams(PageParams):
    entity: str = Field(..., max_length=40)
    record_id: int | None = Field(None, ge=1, le=2**63 - 1)


@router.get("/assignment-rules", response={200: page_schema(RuleOut), 422: ErrorOut, **ERRORS},
            summary="List assignment rules (administrators), in the order they are tried")
def list_rules(request, params: Query[RuleListParams]):
    access.require_admin(request.auth)
    rules = AssignmentRule.objects.all()
    if params.entity:
        rules = rules.filter(entity=params.entity)
    return collection(rules, params, ["entity", "order", "id"])


@router.post("/assignment-rules", response={201: RuleOut, 422: ErrorOut, **ERRORS},
             summary="Create an assignment rule (administrators)")
def create_rule(request, payload: RuleIn):
    access.require_admin(request.auth)
    data = payload.model_dump(exclude_unset=True)
    return idempotent_create(request, lambda: services.create_rule(data), response_json(RuleOut))


@router.post("/assignment-rules/apply", response={200: ApplyOut, 422: ErrorOut, **ERRORS},
             summary="Apply the rules now to records given by ids or a filter")
def apply_rules(request, payload: ApplyIn):
    if (payload.ids is None) == (payload.filter is None):
        raise ValidationError({"ids": [_("Give either ids or a filter.")]})
    if registry.maybe(payload.entity) is None or payload.entity not in (
            services.assignable_entities()):
        raise ValidationError({"entity": [_("Unknown record type: use one of %(names)s.") %
                                          {"names": ", ".join(services.assignable_entities())}]})
    try:
        result = services.apply(payload.entity, actor=request.auth, ids=payload.ids,
                                node=payload.filter)
    except services.filters.FilterError as exc:
        raise ValidationError({".".join(["filter", *map(str, exc.loc[1:])]): [exc.message]}
                              ) from None
    return {"assigned": result.assigned, "unchanged": result.unchanged,
            "skipped": result.skipped}


@router.get("/assignment-rules/{int:rule_id}", response={200: RuleOut, 404: ErrorOut, **ERRORS},
            summary="Read an assignment rule (administrators)")
def get_rule(request, rule_id: int):
    access.require_admin(request.auth)
    return AssignmentRule.objects.get(pk=rule_id)


@router.patch("/assignment-rules/{int:rule_id}",
              response={200: RuleOut, 404: ErrorOut, 412: ErrorOut, 422: ErrorOut, **ERRORS},
              summary="Change an assignment rule (administrators); If-Match: version")
def patch_rule(request, rule_id: int, payload: RulePatch):
    access.require_admin(request.auth)
    rule = AssignmentRule.objects.get(pk=rule_id)
    expected = parse_if_match(request)
    if expected is not None and expected != rule.version:
        raise StaleVersion(rule.version)
    return services.update_rule(rule, payload.model_dump(exclude_unset=True))


@router.post("/assignment-rules/{int:rule_id}/move",
             response={200: RuleOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
             summary="Move a rule up or down the order (administrators)")
def move_rule(request, rule_id: int, payload: MoveIn):
    access.require_admin(request.auth)
    return services.move_rule(AssignmentRule.objects.get(pk=rule_id), payload.direction)


@router.delete("/assignment-rules/{int:rule_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Delete an assignment rule (administrators); its log stays")
def delete_rule(request, rule_id: int):
    access.require_admin(request.auth)
    services.delete_rule(AssignmentRule.objects.get(pk=rule_id))
    return HttpResponse(status=204)


@router.get("/assignment-rules/{int:rule_id}/assignments",
            response={200: page_schema(AssignmentOut), 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="The assignments a rule made, newest first (administrators)")
def rule_assignments(request, rule_id: int, params: Query[PageParams]):
    access.require_admin(request.auth)
    rule = AssignmentRule.objects.get(pk=rule_id)
    return collection(Assignment.objects.filter(rule=rule), params, ["-id"])


@router.get("/assignments", response={200: page_schema(AssignmentOut), 404: ErrorOut,
                                      422: ErrorOut, **ERRORS},
            summary="The assignment log of a record (or of a record type), newest first")
def assignments(request, params: Query[LogParams]):
    spec = registry.maybe(params.entity)
    if spec is None:
        raise ValidationError({"entity": [_("Unknown record type.")]})
    log = Assignment.objects.filter(entity=params.entity)
    if params.record_id is not None:
        if not access.scope(request.auth, params.entity, "view",
                            spec.model.objects.all()).filter(pk=params.record_id).exists():
            raise Http404
        log = log.filter(record_id=params.record_id)
    elif not access.is_admin(request.auth):
        visible = access.scope(request.auth, params.entity, "view", spec.model.objects.all())
        log = log.filter(record_id__in=visible.values("pk"))
    return collection(log, params, ["-id"])
