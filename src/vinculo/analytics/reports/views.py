"""Pages: the report list, the builder (with a live preview), a report with its chart, table,
exports and e-mail schedules, the ready reports and the role dashboards."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.identity.models import User
from vinculo.platform import access, filters, registry
from vinculo.platform.models import Visibility
from vinculo.web.base import page
from vinculo.web.listing import OP_LABELS

from . import builtins, charts, engine, selectors, services
from .api import export_response
from .models import (
    AttachmentFormat,
    Chart,
    DashboardPin,
    Frequency,
    Report,
    ReportSchedule,
)

AGGREGATE_ROWS = 3
FORMATS = ("csv", "xlsx", "svg")


# --------------------------------------------------------------------------- the list


@page
def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/list.html", {
        "groups": selectors.grouped_for(request.user), "ready": builtins.ready_reports(),
        "roles": [(r, builtins.ROLE_LABELS[r]) for r in builtins.ROLES],
        "my_role": builtins.default_role(request.user)})


# --------------------------------------------------------------------------- the builder


def definition_from(data) -> dict[str, Any]:
    """A report definition from the builder form's fields."""
    dims = []
    for i in (1, 2):
        name = (data.get(f"dim{i}") or "").strip()
        if name:
            dim = {"field": name}
            if data.get(f"dim{i}_bucket"):
                dim["bucket"] = data.get(f"dim{i}_bucket")
            dims.append(dim)
    aggs = []
    for i in range(AGGREGATE_ROWS):
        fn = (data.get(f"agg{i}_fn") or "").strip()
        if fn:
            agg = {"fn": fn}
            if fn != "count":
                agg["field"] = (data.get(f"agg{i}_field") or "").strip()
            aggs.append(agg)
    try:
        scope = json.loads(data.get("scope") or "{}")
    except ValueError:
        scope = {"invalid": True}
    try:
        limit = int(data.get("limit") or engine.DEFAULT_LIMIT)
    except ValueError:
        limit = 0
    return {"entity": data.get("entity") or "", "scope": scope, "dimensions": dims,
            "aggregates": aggs or [{"fn": "count"}], "sort": data.get("sort") or "",
            "limit": limit, "chart": data.get("chart") or Chart.BAR}


def _builder_config(entity: str) -> dict:
    """The list pages' filter builder, configured for this entity (the report's scope)."""
    fields = [{**f, "label": f["label"][:1].upper() + f["label"][1:]}
              for f in filters.describe_fields(entity)]
    users = [[u.pk, u.display_name()] for u in User.objects.filter(is_active=True)]
    return {
        "fields": fields, "users": users, "ops": {k: str(v) for k, v in OP_LABELS.items()},
        "text": {
            "all": _("all of these conditions"), "any": _("any of these conditions"),
            "match": _("Match"), "add": _("Add condition"), "remove": _("Remove condition"),
            "apply": _("Apply"), "clear": _("Clear"), "yes": _("Yes"), "no": _("No"),
            "me": _("Me"), "value": _("Value"), "and": _("and"), "field": _("Field"),
            "operator": _("Operator"), "json": _("Edit as JSON"), "visual": _("Edit visually"),
            "complex": _("This filter has nested groups or related-record conditions; edit it "
                         "as JSON."),
            "badjson": _("This is not valid JSON."),
            "listhint": _("Separate values with commas"), "days": _("days"),
            "empty": _("No conditions: the report counts every record you may see."),
        },
    }


def _form_context(request: HttpRequest, values: dict, report: Report | None,
                  problems: dict[str, list[str]] | None = None) -> dict:
    entities = engine.report_entities()
    entity = values.get("entity") or "opportunities"
    if registry.maybe(entity) not in entities:
        entity = "opportunities"
    aggs = list(values.get("aggregates") or [{"fn": "count"}])
    aggs += [{}] * (AGGREGATE_ROWS - len(aggs))
    dims = list(values.get("dimensions") or [])
    dims += [{}] * (2 - len(dims))
    return {
        "report": report, "values": values, "entity": entity, "entities": entities,
        "fields": engine.describe(entity), "dims": [d if isinstance(d, dict) else {"field": d}
                                                      for d in dims],
        "aggs": aggs[:AGGREGATE_ROWS], "buckets": list(engine.BUCKETS),
        "functions": [("count", _("Count")), ("sum", _("Sum")), ("avg", _("Average")),
                      ("min", _("Minimum")), ("max", _("Maximum"))],
        "charts": Chart.choices, "visibilities": Visibility.choices,
        "users": User.objects.filter(is_active=True).exclude(pk=request.user.pk),
        "shared_ids": set(values.get("shared_with_user_ids") or []),
        "scope_json": json.dumps(values.get("scope") or {}) if values.get("scope") else "",
        "builder": _builder_config(entity), "problems": problems or {},
        "sort_options": _sort_options(aggs),
    }


def _sort_options(aggs: list[dict]) -> list[tuple[str, str]]:
    """Sorting by each aggregate of the form, largest first or smallest first."""
    options = []
    for agg in aggs:
        fn, name = agg.get("fn"), agg.get("field") or ""
        if fn not in engine.FUNCTIONS:
            continue
        alias = fn if fn == "count" else f"{fn}_{name.replace('.', '_')}"
        label = engine.aggregate_label(fn, name) if fn == "count" else f"{fn} {name}"
        options.append((f"-{alias}", _("%(value)s, largest first") % {"value": label}))
        options.append((alias, _("%(value)s, smallest first") % {"value": label}))
    return options


def _problems(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"definition": exc.messages}


@page
def report_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    values: dict[str, Any] = {"entity": request.GET.get("entity") or "opportunities",
                              "aggregates": [{"fn": "count"}], "chart": Chart.BAR}
    source = builtins.BUILTINS.get(request.GET.get("from") or "")
    if source is not None and source.definition is not None:
        values = {**source.definition(), "name": source.title(), "chart": source.chart}
    template = "reports/_fields.html" if _is_fields_swap(request) else "reports/builder.html"
    return render(request, template, _form_context(request, values, None))


def _is_fields_swap(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and htmx.target == "builder-fields"


def _owned(request: HttpRequest, report_id: int) -> Report:
    report = selectors.report_for(request.user, report_id)
    if report is None:
        raise Http404
    if report.owner_id != request.user.pk and not access.is_admin(request.user):
        raise access.PermissionDenied(_("Only the owner may change this report."))
    return report


@page
def report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _owned(request, report_id)
    if request.method == "POST":
        return _save(request, report)
    values = {**report.definition(), "name": report.name, "description": report.description,
              "visibility": report.visibility,
              "shared_with_user_ids": [u.pk for u in report.shared_with.all()]}
    if request.GET.get("entity"):
        values = {"entity": request.GET["entity"], "aggregates": [{"fn": "count"}]}
    template = "reports/_fields.html" if _is_fields_swap(request) else "reports/builder.html"
    return render(request, template, _form_context(request, values, report))


def _save(request: HttpRequest, report: Report | None) -> HttpResponse:
    data = {**definition_from(request.POST), "name": request.POST.get("name", "").strip(),
            "description": request.POST.get("description", "").strip()[:500],
            "visibility": request.POST.get("visibility") or Visibility.PRIVATE}
    try:
        data["shared_with_user_ids"] = [int(v) for v in request.POST.getlist("shared_with")]
    except ValueError:
        data["shared_with_user_ids"] = []
    problems: dict[str, list[str]] = {}
    if not data["name"]:
        problems["name"] = [_("Give the report a name.")]
    if data["visibility"] not in Visibility.values:
        problems["visibility"] = [_("Choose who may see the report.")]
    if not problems:
        try:
            saved = services.report_save(request.user, data, report)
        except ValidationError as exc:
            problems = _problems(exc)
        else:
            messages.success(request, _("Report “%(name)s” saved.") % {"name": saved.name})
            return redirect(f"/reports/{saved.pk}/")
    return render(request, "reports/builder.html",
                  _form_context(request, data, report, problems), status=422)


@page
@require_POST
def report_preview(request: HttpRequest) -> HttpResponse:
    """The live preview of the builder (htmx): chart and table, or what is wrong."""
    try:
        defn = engine.parse(definition_from(request.POST))
    except engine.DefinitionError as exc:
        return render(request, "reports/_preview.html", {"problems": [
            (".".join(map(str, loc)), message) for loc, message in exc.problems]})
    result = engine.run(defn, request.user, title=request.POST.get("name") or _("Preview"))
    return render(request, "reports/_preview.html", _result_context(result, "preview"))


# --------------------------------------------------------------------------- one report


def _result_context(result: engine.Result, uid: str) -> dict:
    chart = result.chart
    value, label = charts.kpi_value(result) if chart == Chart.KPI else ("", "")
    return {"result": result, "svg": charts.render(result, uid=uid), "kpi": value,
            "kpi_label": label, "rows": _display_rows(result), "chart": chart}


def _display_rows(result: engine.Result) -> list[list[str]]:
    rows = []
    for r in result.rows:
        cells = list(r["labels"])
        for m in result.measures:
            value = r["values"].get(m["key"])
            cells.append(charts.number(value, 0 if m["kind"] in ("count", "number") else 2)
                         if value is not None else "–")
        rows.append(cells)
    return rows


@page
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_for(request.user, report_id)
    if report is None:
        raise Http404
    if request.method == "POST":
        return _detail_action(request, report)
    error = ""
    context: dict[str, Any] = {}
    try:
        defn = engine.parse(report.definition())
        context = _result_context(engine.run(defn, request.user, title=report.name), "report")
    except engine.DefinitionError as exc:
        error = "; ".join(message for _loc, message in exc.problems)
    can_change = report.owner_id == request.user.pk or access.is_admin(request.user)
    return render(request, "reports/detail.html", {
        **context, "report": report, "error": error, "can_change": can_change,
        "entity": registry.maybe(report.entity),
        "pinned": DashboardPin.objects.filter(user=request.user, report=report).exists(),
        "schedules": report.schedules.prefetch_related("recipients") if can_change else [],
        "frequencies": Frequency.choices, "attachments": AttachmentFormat.choices,
        "users": User.objects.filter(is_active=True), "formats": FORMATS})


def _detail_action(request: HttpRequest, report: Report) -> HttpResponse:
    action = request.POST.get("action")
    here = f"/reports/{report.pk}/"
    if action == "pin":
        services.pin(request.user, report)
        messages.success(request, _("Pinned to your dashboard."))
        return redirect(here)
    if action == "unpin":
        services.unpin(request.user, report)
        messages.success(request, _("Removed from your dashboard."))
        return redirect(here)
    report = _owned(request, report.pk)
    if action == "delete":
        report.delete()
        messages.success(request, _("Report deleted."))
        return redirect("/reports/")
    if action == "schedule":
        try:
            ids = [int(v) for v in request.POST.getlist("recipients")]
            services.schedule_save(request.user, report,
                                   frequency=request.POST.get("frequency", ""),
                                   attachment=request.POST.get("attachment", ""),
                                   recipient_ids=ids)
        except (ValueError, ValidationError) as exc:
            text = "; ".join(sum(_problems(exc).values(), [])) if isinstance(
                exc, ValidationError) else _("Choose the recipients from the list.")
            messages.error(request, text)
        else:
            messages.success(request, _("The report will be e-mailed on schedule."))
        return redirect(here + "#schedules")
    if action == "unschedule":
        ReportSchedule.objects.filter(report=report, pk=request.POST.get("schedule") or 0
                                      ).delete()
        messages.success(request, _("Schedule removed."))
        return redirect(here + "#schedules")
    raise Http404


@page
def report_export(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    report = selectors.report_for(request.user, report_id)
    if report is None or fmt not in FORMATS:
        raise Http404
    try:
        defn = engine.parse(report.definition())
    except engine.DefinitionError as exc:
        return HttpResponse("; ".join(m for _l, m in exc.problems), status=422,
                            content_type="text/plain; charset=utf-8")
    return export_response(report.name, engine.run(defn, request.user, title=report.name), fmt)


# --------------------------------------------------------------------------- built-ins


@page
def ready_report(request: HttpRequest, key: str) -> HttpResponse:
    builtin = builtins.BUILTINS.get(key)
    if builtin is None:
        raise Http404
    result = builtins.safe_run(builtin, request.user)
    if result is None:
        raise access.PermissionDenied(_("Your role may not see these records."))
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        return export_response(result.title, result, fmt)
    return render(request, "reports/ready.html", {
        **_result_context(result, f"ready-{key}"), "builtin": builtin, "formats": FORMATS})


@page
def dashboard_home(request: HttpRequest) -> HttpResponse:
    return redirect(f"/reports/dashboards/{builtins.default_role(request.user)}/")


@page
def dashboard(request: HttpRequest, role: str) -> HttpResponse:
    if role not in builtins.DASHBOARDS:
        raise Http404
    tiles_keys, chart_keys = builtins.DASHBOARDS[role]
    tiles, cards = [], []
    for key in tiles_keys:
        builtin = builtins.BUILTINS[key]
        result = builtins.safe_run(builtin, request.user)
        if result is not None:
            value, label = charts.kpi_value(result)
            tiles.append({"builtin": builtin, "title": result.title, "value": value,
                          "label": label})
    for key in chart_keys:
        builtin = builtins.BUILTINS[key]
        result = builtins.safe_run(builtin, request.user)
        if result is not None:
            cards.append({"builtin": builtin, "title": result.title, "link": builtin.link,
                          "href": f"/reports/ready/{key}/",
                          "svg": charts.render(result, uid=f"dash-{key}", width=560,
                                               height=260)})
    pinned = []
    for report in selectors.pinned_reports(request.user):
        try:
            result = engine.run(engine.parse(report.definition()), request.user,
                                title=report.name)
        except engine.DefinitionError:
            continue
        pinned.append({"title": report.name, "href": f"/reports/{report.pk}/",
                       "svg": charts.render(result, "bar" if result.chart == "table"
                                            else result.chart, uid=f"pin-{report.pk}",
                                            width=560, height=260)})
    return render(request, "reports/dashboard.html", {
        "role": role, "role_label": builtins.ROLE_LABELS[role], "tiles": tiles, "cards": cards,
        "pinned": pinned, "roles": [(r, builtins.ROLE_LABELS[r]) for r in builtins.ROLES],
        "my_role": builtins.default_role(request.user)})
