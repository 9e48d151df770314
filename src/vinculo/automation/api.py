"""REST endpoints of the automation module: `business-rules` and the loaded `plugins`
(administrators only)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Field, Query, Router

from vinculo.platform import access, hooks_registry
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
from .models import BusinessRule
from .schemas import PluginOut, RuleIn, RuleOut, RulePatch

router = Router(tags=["business-rules"])


class RuleListParams(PageParams):
    entity: str | None = Field(None, max_length=40)


@router.get("/business-rules", response={200: page_schema(RuleOut), 422: ErrorOut, **ERRORS},
            summary="List business rules (administrators), in the order they run")
def list_rules(request, params: Query[RuleListParams]):
    access.require_admin(request.auth)
    rules = BusinessRule.objects.all()
    if params.entity:
        rules = rules.filter(entity=params.entity)
    return collection(rules, params, ["entity", "order", "id"])


@router.post("/business-rules", response={201: RuleOut, 422: ErrorOut, **ERRORS},
             summary="Create a business rule (administrators)")
def create_rule(request, payload: RuleIn):
    access.require_admin(request.auth)
    data = payload.model_dump(exclude_unset=True)
    return idempotent_create(request, lambda: services.create_rule(data), response_json(RuleOut))


@router.get("/business-rules/{int:rule_id}", response={200: RuleOut, 404: ErrorOut, **ERRORS},
            summary="Read a business rule (administrators)")
def get_rule(request, rule_id: int):
    access.require_admin(request.auth)
    return BusinessRule.objects.get(pk=rule_id)


@router.patch("/business-rules/{int:rule_id}",
              response={200: RuleOut, 404: ErrorOut, 412: ErrorOut, 422: ErrorOut, **ERRORS},
              summary="Change a business rule (administrators); If-Match: version")
def patch_rule(request, rule_id: int, payload: RulePatch):
    access.require_admin(request.auth)
    rule = BusinessRule.objects.get(pk=rule_id)
    expected = parse_if_match(request)
    if expected is not None and expected != rule.version:
        raise StaleVersion(rule.version)
    return services.update_rule(rule, payload.model_dump(exclude_unset=True))


@router.delete("/business-rules/{int:rule_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Delete a business rule (administrators)")
def delete_rule(request, rule_id: int):
    access.require_admin(request.auth)
    services.delete_rule(BusinessRule.objects.get(pk=rule_id))
    return HttpResponse(status=204)


@router.get("/plugins", response={200: list[PluginOut], **ERRORS}, tags=["plugins"],
            summary="The plug-ins loaded from VINCULO_PLUGINS and their hooks (administrators)")
def list_plugins(request):
    access.require_admin(request.auth)
    return [p.describe() for p in hooks_registry.plugins()]
