"""Pages of workflows under /settings/workflows/ (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from vinculo.platform import access, registry
from vinculo.web.base import admin_page

from . import engine
from .forms import TestForm, WorkflowForm
from .models import Workflow, WorkflowRun

RUNS_SHOWN = 50


def _get(workflow_id: int) -> Workflow:
    workflow = Workflow.objects.filter(pk=workflow_id).first()
    if workflow is None:
        raise Http404
    return workflow


def trigger_text(trigger: dict) -> str:
    on = (trigger or {}).get("on")
    if on == "field_changed":
        text = _("%(field)s changes") % {"field": trigger.get("field")}
        if "to" in trigger:
            text = _("%(field)s becomes %(value)s") % {"field": trigger.get("field"),
                                                        "value": trigger["to"]}
        return text
    if on == "schedule":
        return _("schedule %(cron)s (UTC)") % {"cron": trigger.get("cron")}
    if on == "date":
        days = int(trigger.get("offset_days") or 0)
        if days < 0:
            return _("%(n)d days before %(field)s") % {"n": -days, "field": trigger.get("field")}
        if days > 0:
            return _("%(n)d days after %(field)s") % {"n": days, "field": trigger.get("field")}
        return _("on %(field)s") % {"field": trigger.get("field")}
    return {"created": _("created"), "updated": _("updated"),
            "webhook": _("inbound webhook")}.get(on, str(on))


@admin_page
def workflow_list(request: HttpRequest) -> HttpResponse:
    workflows = Workflow.objects.annotate(run_count=Count("runs"), last_run=Max("runs__id"))
    last = {r.pk: r for r in WorkflowRun.objects.filter(
        pk__in=[w.last_run for w in workflows if w.last_run])}
    rows = []
    for workflow in workflows:
        spec = registry.maybe(workflow.entity)
        rows.append({"workflow": workflow, "trigger": trigger_text(workflow.trigger),
                     "entity": str(spec.label_plural if spec else workflow.entity).capitalize(),
                     "last": last.get(workflow.last_run)})
    return render(request, "workflows/list.html", {"rows": rows, "section": "workflows"})


@admin_page
def workflow_new(request: HttpRequest) -> HttpResponse:
    form = WorkflowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workflow = form.save(request.user)
        messages.success(request, _("Workflow “%(name)s” created.") % {"name": workflow.name})
        return redirect(f"/settings/workflows/{workflow.pk}/")
    return render(request, "workflows/form.html", {"form": form, "section": "workflows"})


@admin_page
def workflow_edit(request: HttpRequest, workflow_id: int) -> HttpResponse:
    workflow = _get(workflow_id)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "delete":
        workflow.delete()
        messages.success(request, _("Workflow deleted."))
        return redirect("/settings/workflows/")
    test_form, result = TestForm(request.POST if action == "test" else None), None
    if action == "test" and test_form.is_valid():
        spec = registry.get(workflow.entity)
        record = access.scope(request.user, spec.name, "view", spec.model.objects.all()).filter(
            pk=test_form.cleaned_data["record_id"]).first()
        if record is None:
            test_form.add_error("record_id", _("No %(entity)s record with this id that you may "
                                               "see.") % {"entity": spec.label_plural})
        else:
            result = engine.dry_run(workflow, record, actor=request.user)
    form = WorkflowForm(request.POST if action == "save" else None, workflow=workflow)
    if action == "save" and form.is_valid():
        form.save(request.user)
        messages.success(request, _("Workflow saved."))
        return redirect(f"/settings/workflows/{workflow.pk}/")
    return render(request, "workflows/form.html", {
        "form": form, "workflow": workflow, "section": "workflows", "test_form": test_form,
        "result": result, "trigger": trigger_text(workflow.trigger),
        "hook_url": request.build_absolute_uri(f"/api/v1/workflows/{workflow.pk}/hook")
        if (workflow.trigger or {}).get("on") == "webhook" else None})


@admin_page
def workflow_runs(request: HttpRequest, workflow_id: int) -> HttpResponse:
    workflow = _get(workflow_id)
    runs = WorkflowRun.objects.filter(workflow=workflow).prefetch_related("step_runs")
    status = request.GET.get("status") or ""
    if status:
        runs = runs.filter(status=status)
    return render(request, "workflows/runs.html", {
        "workflow": workflow, "runs": list(runs[:RUNS_SHOWN]), "status": status,
        "statuses": WorkflowRun._meta.get_field("status").choices, "section": "workflows"})
