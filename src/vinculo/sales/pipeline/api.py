"""REST endpoints of pipelines, stages, opportunities, quotas and the forecast."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import JsonResponse
from ninja import Field, Query, Router, Schema

from vinculo.platform import access
from vinculo.platform.crud import ERRORS, ErrorOut, ParameterError, get_visible, resource_router

from . import selectors, services
from .models import Opportunity, Pipeline, Stage
from .schemas import (
    ForecastOut,
    MoveIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    QuotaIn,
    QuotaOut,
    QuotaPatch,
    ReorderIn,
    StageHistoryOut,
    StageIn,
    StageOut,
    StagePatch,
)


def _pipelines():
    return Pipeline.all_objects.prefetch_related(
        Prefetch("stages", Stage.objects.order_by("order", "id")))


def _opportunities():
    return Opportunity.all_objects.prefetch_related("lines")


pipelines = resource_router("pipelines", In=PipelineIn, Patch=PipelinePatch, Out=PipelineOut,
                            queryset=_pipelines)
stages = resource_router("stages", In=StageIn, Patch=StagePatch, Out=StageOut)
opportunities = resource_router("opportunities", In=OpportunityIn, Patch=OpportunityPatch,
                                Out=OpportunityOut, queryset=_opportunities)
quotas = resource_router("quotas", In=QuotaIn, Patch=QuotaPatch, Out=QuotaOut)


@pipelines.post("/{int:record_id}/stages/reorder",
                response={200: list[StageOut], 404: ErrorOut, 422: ErrorOut, **ERRORS},
                operation_id="pipelines_reorder_stages", summary="Reorder a pipeline's stages")
def reorder_stages(request, record_id: int, payload: ReorderIn):
    user = request.auth
    pipeline = get_visible(user, "pipelines", record_id)
    access.require(user, pipeline, "change")
    return services.reorder_stages(pipeline, payload.stage_ids, actor=user)


@opportunities.post("/{int:record_id}/move",
                    response={200: OpportunityOut, 404: ErrorOut, 412: ErrorOut, 422: ErrorOut,
                              **ERRORS},
                    operation_id="opportunities_move", summary="Move a deal to another stage",
                    description="Send the `version` you read: if someone changed the deal "
                    "meanwhile the answer is 412 with who moved it and where it is now.")
def move(request, record_id: int, payload: MoveIn):
    user = request.auth
    opp = get_visible(user, "opportunities", record_id)
    access.require(user, opp, "change")
    try:
        services.opportunity_move(opp, stage_id=payload.stage_id, version=payload.version,
                                  actor=user, lost_reason=payload.lost_reason)
    except services.MovedMeanwhile as exc:
        return JsonResponse({"detail": str(exc), "moved_by": exc.by, "version": exc.version,
                             "stage_id": exc.stage_id}, status=412)
    return _opportunities().get(pk=record_id)


@opportunities.get("/{int:record_id}/stages",
                   response={200: StageHistoryOut, 404: ErrorOut, **ERRORS},
                   operation_id="opportunities_stage_history",
                   summary="A deal's stage changes and the time spent in each stage")
def stage_history(request, record_id: int):
    opp = get_visible(request.auth, "opportunities", record_id)
    changes, times = services.stage_history(opp)
    return {"items": changes, "time_in_stage": times}


# ------------------------------------------------------------------------------ forecast


class ForecastParams(Schema):
    pipeline: int | None = Field(None, ge=1, le=2**63 - 1,
                                 description="A pipeline id (default: all).")
    group: Literal["month", "owner", "team"] = "month"
    from_: dt.date | None = Field(None, alias="from",
                                  description="First expected close date (default: this "
                                  "month's first day).")
    to: dt.date | None = Field(None, description="Last expected close date (default: 11 months "
                               "after `from`).")


forecast_router = Router(tags=["forecast"])


@forecast_router.get("", response={200: ForecastOut, 422: ErrorOut, **ERRORS},
                     operation_id="forecast_get",
                     summary="Weighted pipeline, quotas and attainment, trends and conversion")
def forecast(request, params: Query[ForecastParams]):
    try:
        result = selectors.forecast(request.auth, pipeline_id=params.pipeline,
                                    group=params.group, start=params.from_, end=params.to)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise ParameterError(messages[0], ["query", name]) from None
    return JsonResponse(result.as_json())


router = Router()
router.add_router("/pipelines", pipelines)
router.add_router("/stages", stages)
router.add_router("/opportunities", opportunities)
router.add_router("/quotas", quotas)
router.add_router("/forecast", forecast_router)
