"""REST endpoints: satisfaction surveys (CSAT, NPS), the per-queue CSAT setting and the
service dashboard figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from vinculo.platform import access
from vinculo.platform.crud import ERRORS, ErrorOut

from . import selectors, services
from .models import Survey
from .schemas import (
    DashboardParams,
    QueueSettingIn,
    QueueSettingOut,
    SendIn,
    SendOut,
    SurveyDetailOut,
    SurveyIn,
    SurveyOut,
)

router = Router(tags=["surveys"])


def _out(survey: Survey) -> dict[str, Any]:
    return {"id": survey.pk, "kind": survey.kind, "name": survey.name,
            "question_en": survey.question_en, "question_es": survey.question_es,
            "is_case_survey": survey.is_case_survey, "created_at": survey.created_at,
            "sent": getattr(survey, "sent", 0), "answered": getattr(survey, "answered", 0),
            "response_rate": getattr(survey, "response_rate", None),
            "nps": getattr(survey, "nps", None), "csat_average": getattr(survey, "csat_avg", None)}


def _survey(survey_id: int) -> Survey:
    found = selectors.surveys_with_figures(survey_id)
    if not found:
        raise Http404
    return found[0]


@router.get("/surveys", response={200: list[SurveyOut], **ERRORS},
            summary="List surveys with response rate, NPS and CSAT average")
def list_surveys(request):
    selectors.require_surveys(request.auth)
    return [_out(s) for s in selectors.surveys_with_figures()]


@router.post("/surveys", response={201: SurveyOut, 422: ErrorOut, **ERRORS},
             summary="Create a survey (NPS to send to a segment or list)")
def create_survey(request, payload: SurveyIn):
    selectors.require_surveys(request.auth)
    survey = services.survey_create(actor=request.auth, **payload.model_dump())
    return Status(201, _out(survey))


@router.get("/surveys/{int:survey_id}", response={200: SurveyDetailOut, 404: ErrorOut, **ERRORS},
            summary="A survey with the distribution of its answers")
def get_survey(request, survey_id: int):
    selectors.require_surveys(request.auth)
    survey = _survey(survey_id)
    return {**_out(survey), "distribution": [
        {"score": d["score"], "count": d["count"]} for d in selectors.distribution(survey)]}


@router.post("/surveys/{int:survey_id}/send",
             response={202: SendOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
             summary="Send the survey to the consenting contacts of a segment or list")
def send_survey(request, survey_id: int, payload: SendIn):
    selectors.require_surveys(request.auth)
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    counts = services.send_survey(survey, actor=request.auth, segment_id=payload.segment_id,
                                  list_id=payload.list_id)
    return Status(202, counts)


@router.get("/surveys/queue-settings", response={200: list[QueueSettingOut], **ERRORS},
            summary="Whether each queue sends the satisfaction survey on resolve")
def list_queue_settings(request):
    selectors.require_surveys(request.auth)
    return selectors.queue_settings()


@router.put("/surveys/queue-settings/{int:queue_id}",
            response={200: QueueSettingOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="Turn the satisfaction survey of a queue on or off (administrators)")
def set_queue_setting(request, queue_id: int, payload: QueueSettingIn):
    access.require_admin(request.auth)
    from vinculo.service.models import Queue

    queue = Queue.objects.filter(pk=queue_id).first()
    if queue is None:
        raise Http404
    services.set_queue_csat(queue.pk, payload.csat_enabled)
    return {"queue_id": queue.pk, "name": queue.name, "csat_enabled": payload.csat_enabled}


def period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The dashboard's period: the last 12 weeks by default; at most five years."""
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(weeks=12)
    if start > end:
        raise ValidationError({"start": [_("The start must not be after the end.")]})
    if (end - start).days > 366 * 5:
        raise ValidationError({"start": [_("Choose a period of at most five years.")]})
    return start, end


@router.get("/service/dashboard", response={200: dict, 422: ErrorOut, **ERRORS},
            summary="Service dashboard figures: backlog, SLA attainment, median times, CSAT, NPS")
def dashboard(request, params: Query[DashboardParams]):
    selectors.require_dashboard(request.auth)
    start, end = period(params.start, params.end)
    board = selectors.service_dashboard(request.auth, start=start, end=end, group=params.group,
                                        queue_id=params.queue_id)
    return board.as_json()
