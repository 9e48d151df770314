"""Survey reads: who may use them, survey figures, and the service dashboard — each a fixed
number of aggregate queries, whatever the number of cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from vinculo.platform import access

from .models import Invitation, InvitationStatus, Survey, SurveyKind, SurveyResponse

SURVEY_ROLES = {"service", "manager", "marketing"}
DASHBOARD_ROLES = {"service", "manager"}
AGE_BUCKETS = [(0, 1), (1, 3), (3, 7), (7, 30), (30, None)]  # days


def _role(user: Any) -> str:
    role = getattr(user, "role", None)
    return role.name if role is not None else ""


def may_use_surveys(user: Any) -> bool:
    return access.is_admin(user) or _role(user) in SURVEY_ROLES


def require_surveys(user: Any) -> None:
    if not may_use_surveys(user):
        raise access.PermissionDenied("Only service, marketing and manager roles use surveys.")


def may_see_dashboard(user: Any) -> bool:
    return access.is_admin(user) or _role(user) in DASHBOARD_ROLES


def require_dashboard(user: Any) -> None:
    if not may_see_dashboard(user):
        raise access.PermissionDenied("Only service, manager and administrator roles see the "
                                      "service dashboard.")


# ---------------------------------------------------------------------------- surveys


def nps_of(promoters: int, detractors: int, total: int) -> int | None:
    return round((promoters - detractors) * 100 / total) if total else None


def surveys_with_figures(survey_id: int | None = None) -> list[Survey]:
    """Every survey (or one) with its invitations sent, answers, NPS and CSAT average: three
    grouped queries, whatever the number of answers."""
    surveys = Survey.objects.order_by("-created_at", "-id")
    invitations = Invitation.objects.filter(status=InvitationStatus.SENT)
    responses = SurveyResponse.objects.all()
    if survey_id is not None:
        surveys = surveys.filter(pk=survey_id)
        invitations = invitations.filter(survey_id=survey_id)
        responses = responses.filter(survey_id=survey_id)
    rows = list(surveys)
    sent = dict(invitations.values("survey_id").annotate(n=Count("id"))
                .values_list("survey_id", "n"))
    scores = {r["survey_id"]: r for r in responses.values("survey_id").annotate(
        avg=Avg("score"), promoters=Count("id", filter=Q(score__gte=9)),
        detractors=Count("id", filter=Q(score__lte=6)), n=Count("id"))}
    for survey in rows:
        figures = scores.get(survey.pk, {})
        survey.sent = sent.get(survey.pk, 0)
        survey.answered = n = figures.get("n", 0)
        survey.response_rate = n / survey.sent if survey.sent else None
        survey.csat_avg = figures.get("avg") if survey.kind == SurveyKind.CSAT else None
        survey.nps = nps_of(figures.get("promoters", 0), figures.get("detractors", 0), n) \
            if survey.kind == SurveyKind.NPS else None
    return rows


def distribution(survey: Survey) -> list[dict[str, Any]]:
    """How many answered each score of the survey's scale (zeros included)."""
    counts = dict(SurveyResponse.objects.filter(survey=survey).values_list("score")
                  .annotate(n=Count("id")).values_list("score", "n"))
    low, high = survey.scale
    peak = max(counts.values(), default=0)
    return [{"score": s, "count": counts.get(s, 0), "width": _width(counts.get(s, 0), peak)}
            for s in range(low, high + 1)]


def recent_answers(user: Any, survey: Survey, limit: int = 20) -> QuerySet:
    """The latest answers of contacts the user may see."""
    contacts = access.scope(user, "contacts", "view").values("pk")
    return (SurveyResponse.objects.filter(survey=survey, contact_id__in=contacts)
            .select_related("contact", "case").order_by("-answered_at", "-id")[:limit])


def case_response(case_id: int) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(case_id=case_id).order_by("-answered_at").first()


def queue_settings() -> list[dict[str, Any]]:
    """Every queue and whether it sends the satisfaction survey (two queries)."""
    from vinculo.service.models import Queue

    from .models import QueueSetting

    off = set(QueueSetting.objects.filter(csat_enabled=False).values_list("queue_id", flat=True))
    return [{"queue_id": q.pk, "name": q.name, "csat_enabled": q.pk not in off}
            for q in Queue.objects.order_by("name", "id")]


def invitation_count(survey: Survey) -> int:
    return Invitation.objects.filter(survey=survey).count()


# ---------------------------------------------------------------------------- dashboard


@dataclass
class Dashboard:
    start: dt.date
    end: dt.date
    group: str
    queue_id: int | None
    backlog: list[dict] = field(default_factory=list)
    backlog_total: int = 0
    sla: dict[str, Any] = field(default_factory=dict)
    median_first_response_minutes: float | None = None
    median_resolution_minutes: float | None = None
    csat: list[dict] = field(default_factory=list)
    nps: list[dict] = field(default_factory=list)
    csat_avg: float | None = None
    csat_count: int = 0
    nps_value: int | None = None
    nps_count: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(), "group": self.group,
            "queue_id": self.queue_id, "backlog_total": self.backlog_total,
            "backlog": [{k: v for k, v in row.items() if k != "widths"} for row in self.backlog],
            "sla": self.sla,
            "median_first_response_minutes": self.median_first_response_minutes,
            "median_resolution_minutes": self.median_resolution_minutes,
            "csat_average": self.csat_avg, "csat_responses": self.csat_count,
            "nps": self.nps_value, "nps_responses": self.nps_count,
            "csat_trend": [{"period": r["period"], "average": r["average"], "count": r["count"]}
                           for r in self.csat],
            "nps_trend": [{"period": r["period"], "nps": r["nps"], "count": r["count"],
                           "promoters": r["promoters"], "detractors": r["detractors"]}
                          for r in self.nps],
        }


def _width(value: float | None, peak: float | None) -> int:
    if not value or not peak or value <= 0:
        return 0
    return max(2, min(100, round(value * 100 / peak)))


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz))


def service_dashboard(user: Any, *, start: dt.date, end: dt.date, group: str = "week",
                      queue_id: int | None = None, now: dt.datetime | None = None) -> Dashboard:
    """Backlog by queue and age, SLA attainment and median times of the cases created in the
    period, CSAT and NPS by week or month — for the cases `user` may see."""
    from vinculo.service.models import OPEN_STATUSES

    now = now or timezone.now()
    board = Dashboard(start=start, end=end, group=group, queue_id=queue_id)
    cases = access.scope(user, "cases", "view")
    if queue_id is not None:
        cases = cases.filter(queue_id=queue_id)
    _backlog(board, cases.filter(status__in=OPEN_STATUSES), now)
    lo, hi = _bounds(start, end)
    in_period = cases.filter(created_at__gte=lo, created_at__lt=hi)
    _sla(board, in_period, now)
    _trends(board, cases, lo, hi)
    return board


def _backlog(board: Dashboard, open_cases: QuerySet, now: dt.datetime) -> None:
    buckets = {}
    for low, high in AGE_BUCKETS:
        cond = Q(created_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            cond &= Q(created_at__gt=now - dt.timedelta(days=high))
        buckets[f"b{low}"] = Count("id", filter=cond)
    rows = list(open_cases.order_by().values("queue_id", "queue__name")
                .annotate(total=Count("id"), **buckets).order_by("-total", "queue__name"))
    peak = max((r["total"] for r in rows), default=0)
    for row in rows:
        row["ages"] = [row.pop(f"b{low}") for low, _high in AGE_BUCKETS]
        row["widths"] = [_width(n, peak) for n in row["ages"]]
        row["queue"] = row.pop("queue__name")
    board.backlog = rows
    board.backlog_total = sum(r["total"] for r in rows)


def _sla(board: Dashboard, cases: QuerySet, now: dt.datetime) -> None:
    fr_due, res_due = Q(first_response_due__isnull=False), Q(resolution_due__isnull=False)
    figures = cases.aggregate(
        fr_met=Count("id", filter=fr_due & Q(first_responded_at__lte=F("first_response_due"))),
        fr_breached=Count("id", filter=fr_due & (
            Q(first_responded_at__gt=F("first_response_due"))
            | Q(first_responded_at__isnull=True, first_response_due__lt=now))),
        res_met=Count("id", filter=res_due & Q(resolved_at__lte=F("resolution_due"))),
        res_breached=Count("id", filter=res_due & (
            Q(resolved_at__gt=F("resolution_due"))
            | Q(resolved_at__isnull=True, resolution_due__lt=now))),
        responded=Count("id", filter=Q(first_responded_at__isnull=False)),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
    )
    for key in ("fr", "res"):
        met, breached = figures[f"{key}_met"], figures[f"{key}_breached"]
        figures[f"{key}_rate"] = met / (met + breached) if met + breached else None
        peak = max(met, breached)
        figures[f"{key}_widths"] = [_width(met, peak), _width(breached, peak)]
    board.sla = figures
    board.median_first_response_minutes = _median(
        cases.filter(first_responded_at__isnull=False), "first_responded_at",
        figures["responded"])
    board.median_resolution_minutes = _median(
        cases.filter(resolved_at__isnull=False), "resolved_at", figures["resolved"])


def _median(cases: QuerySet, end_field: str, n: int) -> float | None:
    """The median of `end_field − created_at` in minutes: the one or two middle rows by the
    database's own ordering (one query, no row loop; works alike on SQLite and PostgreSQL)."""
    if not n:
        return None
    span = ExpressionWrapper(F(end_field) - F("created_at"), output_field=DurationField())
    middle = list(cases.annotate(span=span).order_by("span", "id")
                  .values_list("span", flat=True)[(n - 1) // 2: n // 2 + 1])
    if not middle:
        return None
    seconds = sum(m.total_seconds() for m in middle) / len(middle)
    return round(seconds / 60, 1)


def _trends(board: Dashboard, cases: QuerySet, lo: dt.datetime, hi: dt.datetime) -> None:
    trunc = TruncMonth if board.group == "month" else TruncWeek
    answers = SurveyResponse.objects.filter(answered_at__gte=lo, answered_at__lt=hi)
    csat = answers.filter(survey__kind=SurveyKind.CSAT, case_id__in=cases.values("pk"))
    rows = list(csat.annotate(period=trunc("answered_at")).values("period")
                .annotate(average=Avg("score"), count=Count("id")).order_by("period"))
    for row in rows:
        row["period"] = _day(row["period"])
        row["average"] = round(row["average"], 2)
        row["width"] = _width(row["average"], 5)
    board.csat = rows
    total = sum(r["count"] for r in rows)
    board.csat_count = total
    board.csat_avg = round(sum(r["average"] * r["count"] for r in rows) / total, 2) \
        if total else None
    nps = answers.filter(survey__kind=SurveyKind.NPS)
    rows = list(nps.annotate(period=trunc("answered_at")).values("period").annotate(
        count=Count("id"), promoters=Count("id", filter=Q(score__gte=9)),
        detractors=Count("id", filter=Q(score__lte=6))).order_by("period"))
    for row in rows:
        row["period"] = _day(row["period"])
        row["nps"] = nps_of(row["promoters"], row["detractors"], row["count"])
        # NPS runs from −100 to 100: the bar shows where it sits on that range.
        row["width"] = max(2, round((row["nps"] + 100) / 2))
    board.nps = rows
    count = sum(r["count"] for r in rows)
    board.nps_count = count
    board.nps_value = nps_of(sum(r["promoters"] for r in rows),
                             sum(r["detractors"] for r in rows), count)


def _day(value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.isoformat() if value else ""
