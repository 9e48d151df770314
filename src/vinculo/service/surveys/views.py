"""Pages: surveys (list, one survey, sending), the public answer page and the service
dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vinculo.platform import access
from vinculo.web.base import page

from . import api as survey_api
from . import selectors, services
from .models import Survey, SurveyKind, SurveyResponse


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


# ---------------------------------------------------------------------------- surveys


@page
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    selectors.require_surveys(request.user)
    if request.method == "POST":
        try:
            survey = services.survey_create(
                kind=request.POST.get("kind") or SurveyKind.NPS,
                name=request.POST.get("name", "")[:200],
                question_en=request.POST.get("question_en", "")[:300],
                question_es=request.POST.get("question_es", "")[:300], actor=request.user)
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect("/surveys/")
        messages.success(request, _("Survey created. Choose whom to send it to."))
        return redirect(f"/surveys/{survey.pk}/")
    surveys = selectors.surveys_with_figures()
    for survey in surveys:
        survey.rate_text = _percent(survey.response_rate)
    return render(request, "surveys/list.html", {
        "surveys": surveys, "is_admin": access.is_admin(request.user),
        "queues": selectors.queue_settings()})


@page
@require_POST
def queue_settings(request: HttpRequest) -> HttpResponse:
    access.require_admin(request.user)
    enabled = set(request.POST.getlist("csat"))
    for queue in selectors.queue_settings():
        services.set_queue_csat(queue["queue_id"], str(queue["queue_id"]) in enabled)
    messages.success(request, _("Survey settings of the queues saved."))
    return redirect("/surveys/")


@page
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    selectors.require_surveys(request.user)
    found = selectors.surveys_with_figures(survey_id)
    if not found:
        raise Http404
    survey = found[0]
    survey.rate_text = _percent(survey.response_rate)
    from vinculo.marketing.lists.selectors import visible_lists
    from vinculo.marketing.segments.selectors import visible_segments

    return render(request, "surveys/detail.html", {
        "survey": survey, "distribution": selectors.distribution(survey),
        "answers": selectors.recent_answers(request.user, survey),
        "segments": visible_segments(request.user, "contacts").order_by("name")[:500],
        "lists": visible_lists(request.user, "contacts").order_by("name")[:500],
    })


@page
@require_POST
def survey_send(request: HttpRequest, survey_id: int) -> HttpResponse:
    selectors.require_surveys(request.user)
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise Http404
    target = request.POST.get("target", "")
    kind, _sep, pk = target.partition(":")
    ids = {"segment_id": None, "list_id": None}
    if kind in ("segment", "list") and pk.isdigit():
        ids[f"{kind}_id"] = int(pk)
    try:
        counts = services.send_survey(survey, actor=request.user, **ids)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(f"/surveys/{survey.pk}/")
    messages.success(request, _("%(queued)s invitations queued; %(already)s already invited; "
                                "%(excluded)s left out without consent or address.") % {
        "queued": counts["queued"], "already": counts["already_invited"],
        "excluded": counts["excluded"]})
    return redirect(f"/surveys/{survey.pk}/")


# ---------------------------------------------------------------------------- public answer


def _problem(request: HttpRequest, title: str, text: str, status: int = 400) -> HttpResponse:
    return render(request, "surveys/message.html", {"title": title, "text": text},
                  status=status)


@require_http_methods(["GET", "POST"])
def answer_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page a survey e-mail links to: no sign-in, the signed token is the key."""
    try:
        invitation = services.read_token(token)
    except services.ExpiredLink:
        return _problem(request, _("Link expired"),
                        _("This survey link has expired. Thank you all the same."))
    except services.BadLink:
        return _problem(request, _("Invalid link"),
                        _("This survey link is not valid. It may have been changed or cut "
                          "short."))
    with translation.override(invitation.language):
        return _answer(request, token, invitation)


def _answer(request: HttpRequest, token: str, invitation: services.Invitation) -> HttpResponse:
    survey = invitation.survey
    low, high = survey.scale
    existing = SurveyResponse.objects.filter(invitation=invitation).first()
    context = {"survey": survey, "question": services.question(survey, invitation.language),
               "scores": list(range(low, high + 1)), "low": low, "high": high,
               "existing": existing, "token": token, "case": invitation.case}
    if request.method == "GET":
        return render(request, "surveys/answer.html", context)
    try:
        response = services.answer(invitation, request.POST.get("score"),
                                   request.POST.get("comment", ""))
    except services.AnswerClosed:
        return _problem(request, _("Already answered"),
                        _("You answered this survey already. Thank you!"), 409)
    except ValidationError as exc:
        context["error"] = _errors(exc)
        return render(request, "surveys/answer.html", context, status=422)
    return render(request, "surveys/message.html", {
        "title": _("Thank you!"),
        "text": _("Your answer was saved. You can change it for %(days)s days with the same "
                  "link.") % {"days": services.answer_window().days},
        "score": response.score})


# ---------------------------------------------------------------------------- dashboard


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@page
def dashboard(request: HttpRequest) -> HttpResponse:
    from vinculo.service.models import Queue

    selectors.require_dashboard(request.user)
    error = None
    try:
        start, end = survey_api.period(_date(request.GET.get("start")),
                                       _date(request.GET.get("end")))
    except ValidationError as exc:
        error = _errors(exc)
        start, end = survey_api.period(None, None)
    group = "month" if request.GET.get("group") == "month" else "week"
    queue_id = request.GET.get("queue", "")
    queue_id = int(queue_id) if queue_id.isdigit() and len(queue_id) < 18 else None
    board = selectors.service_dashboard(request.user, start=start, end=end, group=group,
                                        queue_id=queue_id)
    return render(request, "surveys/dashboard.html", {
        "board": board, "error": error, "queues": Queue.objects.order_by("name", "id"),
        "fr_rate": _percent(board.sla.get("fr_rate")),
        "res_rate": _percent(board.sla.get("res_rate")),
        "age_labels": [_("< 1 day"), _("1–3 days"), _("3–7 days"), _("7–30 days"),
                       _("> 30 days")],
    })
