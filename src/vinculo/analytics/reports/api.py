"""REST endpoints: saved reports (CRUD), their data, exports and e-mail schedules; previews of
unsaved definitions. Every run is scoped to the records the caller may see."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from vinculo.platform import access
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

from . import builtins, charts, engine, exports, selectors, services
from .models import Report, ReportSchedule
from .schemas import (
    DataOut,
    DefinitionIn,
    ReportIn,
    ReportOut,
    ReportPatch,
    ScheduleIn,
    ScheduleOut,
)

router = Router(tags=["reports"])
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "svg": "image/svg+xml",
}


def _report(request, report_id: int) -> Report:
    report = selectors.reports_visible_to(request.auth).prefetch_related(
        "shared_with").filter(pk=report_id).first()
    if report is None:
        raise Http404
    return report


def _own(request, report_id: int) -> Report:
    report = _report(request, report_id)
    if report.owner_id != request.auth.pk and not access.is_admin(request.auth):
        raise access.PermissionDenied(_("Only the owner may change this report."))
    return report


def run_report(report: Report, user) -> engine.Result:
    """Run a saved report for `user` (its definition re-validated: fields may have gone)."""
    try:
        defn = engine.parse(report.definition())
    except engine.DefinitionError as exc:
        raise services.definition_errors(exc) from None
    return engine.run(defn, user, title=report.name)


def _reload(pk: int) -> Report:
    return Report.objects.prefetch_related("shared_with").get(pk=pk)


@router.get("/reports", response={200: page_schema(ReportOut), 422: ErrorOut, **ERRORS},
            summary="List the reports you may open (yours, your team's, public, shared)")
def list_reports(request, params: Query[PageParams]):
    qs = selectors.reports_visible_to(request.auth).prefetch_related("shared_with")
    return collection(qs, params, ["id"])


@router.post("/reports", response={201: ReportOut, 422: ErrorOut, **ERRORS},
             summary="Save a report")
def create_report(request, payload: ReportIn):
    def create() -> Report:
        return _reload(services.report_save(request.auth, payload.model_dump()).pk)

    return idempotent_create(request, create, response_json(ReportOut))


@router.post("/reports/preview", response={200: DataOut, 422: ErrorOut, **ERRORS},
             summary="Run an unsaved report definition")
def preview_report(request, payload: DefinitionIn):
    try:
        defn = engine.parse(payload.model_dump())
    except engine.DefinitionError as exc:
        raise services.definition_errors(exc) from None
    return engine.run(defn, request.auth).as_json()


@router.get("/reports/{int:report_id}", response={200: ReportOut, 404: ErrorOut, **ERRORS},
            summary="Read a report")
def get_report(request, report_id: int):
    return _report(request, report_id)


@router.patch("/reports/{int:report_id}", response={200: ReportOut, 403: ErrorOut,
                                                     404: ErrorOut, 412: ErrorOut,
                                                     422: ErrorOut, **ERRORS},
              summary="Change a report (its owner)")
def update_report(request, report_id: int, payload: ReportPatch):
    expected = parse_if_match(request)
    report = _own(request, report_id)
    if expected is not None and expected != report.version:
        raise StaleVersion(report.version)
    services.report_save(request.auth, payload.model_dump(exclude_unset=True), report)
    return _reload(report_id)


@router.delete("/reports/{int:report_id}", response={204: None, 403: ErrorOut, 404: ErrorOut,
                                                      **ERRORS},
               summary="Delete a report (its owner)")
def delete_report(request, report_id: int):
    _own(request, report_id).delete()
    return HttpResponse(status=204)


@router.get("/reports/{int:report_id}/data", response={200: DataOut, 404: ErrorOut,
                                                        422: ErrorOut, **ERRORS},
            summary="Run a report: rows (keys, labels, values) and chart series")
def report_data(request, report_id: int):
    return run_report(_report(request, report_id), request.auth).as_json()


class ExportParams(Schema):
    format: Literal["csv", "xlsx", "svg"] = Field("csv", description="csv, xlsx or svg.")


def export_response(report_name: str, result: engine.Result, fmt: str) -> HttpResponse:
    if fmt == "xlsx":
        body: bytes | str = exports.to_xlsx(result, report_name)
    elif fmt == "svg":
        body = str(charts.render(result, result.chart if result.chart != "table" else "bar",
                                 title=report_name))
    else:
        body = exports.to_csv(result)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in report_name)[:60] or "report"
    response["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return response


@router.get("/reports/{int:report_id}/export", response={200: None, 404: ErrorOut,
                                                          422: ErrorOut, **ERRORS},
            summary="Download a report's table (CSV, XLSX) or chart (SVG)")
def export_report(request, report_id: int, params: Query[ExportParams]):
    report = _report(request, report_id)
    return export_response(report.name, run_report(report, request.auth), params.format)


@router.get("/reports/{int:report_id}/schedules",
            response={200: list[ScheduleOut], 404: ErrorOut, **ERRORS},
            summary="E-mail schedules of a report")
def list_schedules(request, report_id: int):
    report = _report(request, report_id)
    return list(report.schedules.prefetch_related("recipients"))


@router.post("/reports/{int:report_id}/schedules",
             response={201: ScheduleOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut,
                       **ERRORS},
             summary="E-mail a report on a schedule (its owner)")
def create_schedule(request, report_id: int, payload: ScheduleIn):
    report = _own(request, report_id)
    schedule = services.schedule_save(request.auth, report, frequency=payload.frequency,
                                      attachment=payload.attachment,
                                      recipient_ids=payload.recipient_ids,
                                      active=payload.active)
    return Status(201, ReportSchedule.objects.prefetch_related("recipients").get(pk=schedule.pk))


@router.delete("/reports/{int:report_id}/schedules/{int:schedule_id}",
               response={204: None, 403: ErrorOut, 404: ErrorOut, **ERRORS},
               summary="Stop e-mailing a report")
def delete_schedule(request, report_id: int, schedule_id: int):
    report = _own(request, report_id)
    deleted, _n = report.schedules.filter(pk=schedule_id).delete()
    if not deleted:
        raise Http404
    return HttpResponse(status=204)


@router.post("/reports/{int:report_id}/pin", response={204: None, 404: ErrorOut, **ERRORS},
             summary="Pin a report to your dashboard")
def pin_report(request, report_id: int):
    services.pin(request.auth, _report(request, report_id))
    return HttpResponse(status=204)


@router.delete("/reports/{int:report_id}/pin", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Unpin a report from your dashboard")
def unpin_report(request, report_id: int):
    services.unpin(request.auth, _report(request, report_id))
    return HttpResponse(status=204)


class BuiltinOut(Schema):
    key: str
    title: str
    chart: str


@router.get("/reports/ready", response={200: list[BuiltinOut], **ERRORS},
            summary="The ready (built-in) reports")
def list_ready(request):
    return [{"key": b.key, "title": b.title(), "chart": b.chart}
            for b in builtins.ready_reports()]


@router.get("/reports/ready/{key}/data", response={200: DataOut, 403: ErrorOut, 404: ErrorOut,
                                                   **ERRORS},
            summary="Run a ready report (or any dashboard report) over your records")
def ready_data(request, key: str):
    builtin = builtins.BUILTINS.get(key)
    if builtin is None:
        raise Http404
    result = builtins.safe_run(builtin, request.auth)
    if result is None:
        raise access.PermissionDenied(_("Your role may not see these records."))
    return result.as_json()


class TileOut(Schema):
    key: str
    title: str
    value: str
    label: str


class DashboardChartOut(Schema):
    key: str
    title: str
    chart: str
    data: DataOut


class DashboardOut(Schema):
    role: str
    tiles: list[TileOut]
    charts: list[DashboardChartOut]
    pinned_report_ids: list[int]


@router.get("/reports/dashboards/{role}", response={200: DashboardOut, 404: ErrorOut,
                                                    **ERRORS},
            summary="A role dashboard's KPI tiles and charts (sales, service, marketing, "
                    "management)")
def dashboard_data(request, role: str):
    if role not in builtins.DASHBOARDS:
        raise Http404
    tiles_keys, chart_keys = builtins.DASHBOARDS[role]
    tiles, charts_out = [], []
    for key in tiles_keys:
        result = builtins.safe_run(builtins.BUILTINS[key], request.auth)
        if result is not None:
            value, label = charts.kpi_value(result)
            tiles.append({"key": key, "title": result.title, "value": value, "label": label})
    for key in chart_keys:
        result = builtins.safe_run(builtins.BUILTINS[key], request.auth)
        if result is not None:
            charts_out.append({"key": key, "title": result.title, "chart": result.chart,
                               "data": result.as_json()})
    return {"role": role, "tiles": tiles, "charts": charts_out,
            "pinned_report_ids": [r.pk for r in selectors.pinned_reports(request.auth)]}
