"""REST endpoints of workflows (administrators): the workflows, their runs step by step,
testing one against a record, the inbound webhook trigger, and e-mail templates."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status
from ninja.security import APIKeyHeader

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
from vinculo.platform.records import StaleVersion

from . import engine, services
from .models import EmailTemplate, RunStatus, Workflow, WorkflowRun
from .schemas import (
    HookIn,
    HookOut,
    RunOut,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    TestIn,
    TestOut,
    WorkflowIn,
    WorkflowOut,
    WorkflowPatch,
)

router = Router(tags=["workflows"])


class WorkflowListParams(PageParams):
    entity: str | None = Field(None, max_length=40)
    active: bool | None = None


class RunListParams(PageParams):
    status: str | None = Field(None, max_length=10)
    record_id: int | None = Field(None, ge=1, le=2**63 - 1)


def _workflow(pk: int) -> Workflow:
    return get_object_or_404(Workflow, pk=pk)


@router.get("/workflows", response={200: page_schema(WorkflowOut), 422: ErrorOut, **ERRORS},
            summary="List workflows (administrators)")
def list_workflows(request, params: Query[WorkflowListParams]):
    access.require_admin(request.auth)
    qs = Workflow.objects.all()
    if params.entity:
        qs = qs.filter(entity=params.entity)
    if params.active is not None:
        qs = qs.filter(active=params.active)
    return collection(qs, params, ["id"])


@router.post("/workflows", response={201: WorkflowOut, 422: ErrorOut, **ERRORS},
             summary="Create a workflow (administrators); checked before it is stored")
def create_workflow(request, payload: WorkflowIn):
    access.require_admin(request.auth)
    data = payload.model_dump(exclude_unset=True)
    return idempotent_create(request, lambda: services.create_workflow(data, actor=request.auth),
                             response_json(WorkflowOut))


@router.get("/workflows/{int:workflow_id}", response={200: WorkflowOut, 404: ErrorOut, **ERRORS},
            summary="Read a workflow (administrators)")
def get_workflow(request, workflow_id: int):
    access.require_admin(request.auth)
    return _workflow(workflow_id)


@router.patch("/workflows/{int:workflow_id}",
              response={200: WorkflowOut, 404: ErrorOut, 412: ErrorOut, 422: ErrorOut, **ERRORS},
              summary="Change a workflow (administrators); If-Match: version")
def patch_workflow(request, workflow_id: int, payload: WorkflowPatch):
    access.require_admin(request.auth)
    workflow = _workflow(workflow_id)
    expected = parse_if_match(request)
    if expected is not None and expected != workflow.version:
        raise StaleVersion(workflow.version)
    return services.update_workflow(workflow, payload.model_dump(exclude_unset=True),
                                    actor=request.auth)


@router.delete("/workflows/{int:workflow_id}", response={204: None, 404: ErrorOut, **ERRORS},
               summary="Delete a workflow and its runs (administrators)")
def delete_workflow(request, workflow_id: int):
    access.require_admin(request.auth)
    services.delete_workflow(_workflow(workflow_id))
    return HttpResponse(status=204)


@router.post("/workflows/{int:workflow_id}/rotate-token",
             response={200: WorkflowOut, 404: ErrorOut, **ERRORS},
             summary="Give the inbound webhook a new token (the old one stops working)")
def rotate_token(request, workflow_id: int):
    access.require_admin(request.auth)
    return services.rotate_secret(_workflow(workflow_id))


@router.get("/workflows/{int:workflow_id}/runs",
            response={200: page_schema(RunOut), 404: ErrorOut, 422: ErrorOut, **ERRORS},
            summary="The runs of a workflow, newest first, each with its steps")
def list_runs(request, workflow_id: int, params: Query[RunListParams]):
    access.require_admin(request.auth)
    workflow = _workflow(workflow_id)
    runs = WorkflowRun.objects.filter(workflow=workflow).prefetch_related("step_runs")
    if params.status:
        runs = runs.filter(status=params.status)
    if params.record_id:
        runs = runs.filter(record_id=params.record_id)
    return collection(runs, params, ["-id"])


@router.get("/workflows/{int:workflow_id}/runs/{int:run_id}",
            response={200: RunOut, 404: ErrorOut, **ERRORS},
            summary="One run of a workflow with its steps")
def get_run(request, workflow_id: int, run_id: int):
    access.require_admin(request.auth)
    return get_object_or_404(WorkflowRun.objects.prefetch_related("step_runs"),
                             workflow_id=workflow_id, pk=run_id)


@router.post("/workflows/{int:workflow_id}/test",
             response={200: TestOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
             summary="Run the workflow against a record now and undo everything it did; "
                     "returns what each step did (e-mails and webhooks are not sent)")
def test_workflow(request, workflow_id: int, payload: TestIn):
    access.require_admin(request.auth)
    workflow = _workflow(workflow_id)
    spec = registry.get(workflow.entity)
    record = access.scope(request.auth, spec.name, "view", spec.model.objects.all()).filter(
        pk=payload.record_id).first()
    if record is None:
        raise Http404
    return engine.dry_run(workflow, record, actor=request.auth)


class HookToken(APIKeyHeader):
    """The inbound webhook's credential: the workflow's own token in `X-Vinculo-Token`."""

    param_name = "X-Vinculo-Token"

    def authenticate(self, request, key: str | None) -> Workflow | None:
        match = getattr(request, "resolver_match", None)
        pk = match.kwargs.get("workflow_id") if match else None
        workflow = Workflow.objects.filter(pk=pk).first() if pk else None
        if workflow is None or not key or (workflow.trigger or {}).get("on") != "webhook":
            return None
        if not secrets.compare_digest(key.encode(), workflow.secret.encode()):
            return None
        return workflow


@router.post("/workflows/{int:workflow_id}/hook", auth=HookToken(),
             response={202: HookOut, 401: ErrorOut, 409: ErrorOut, 422: ErrorOut},
             summary="The inbound webhook trigger: start a run (the workflow's token in "
                     "X-Vinculo-Token)")
def hook(request, workflow_id: int, payload: HookIn):
    workflow = request.auth
    if not workflow.active:
        return Status(409, {"detail": _("The workflow is switched off.")})
    if payload.record_id is not None:
        spec = registry.get(workflow.entity)
        record = spec.model.objects.filter(pk=payload.record_id).first()
        if record is None:
            raise ValidationError({"record_id": [_("No %(entity)s record %(id)s.") % {
                "entity": workflow.entity, "id": payload.record_id}]})
        if workflow.condition and not filters.matches(spec.name, workflow.condition, record):
            return Status(202, {"run_id": None, "status": "skipped", "duplicate": False})
    key = payload.event_id or request.headers.get("Idempotency-Key")
    run = services.start_from_hook(workflow, record_id=payload.record_id,
                                   payload=payload.data or {}, key=key)
    if run is None:
        existing = WorkflowRun.objects.filter(workflow=workflow, event_key=f"hook:{key}").first()
        return Status(202, {"run_id": existing.pk if existing else None,
                            "status": existing.status if existing else RunStatus.PENDING,
                            "duplicate": True})
    return Status(202, {"run_id": run.pk, "status": run.status, "duplicate": False})


# ----------------------------------------------------------------------------- e-mail templates


@router.get("/email-templates", response={200: page_schema(TemplateOut), 422: ErrorOut,
                                          **ERRORS},
            summary="E-mail templates for workflow steps (administrators)")
def list_templates(request, params: Query[PageParams]):
    access.require_admin(request.auth)
    return collection(EmailTemplate.objects.all(), params, ["id"])


@router.post("/email-templates", response={201: TemplateOut, 422: ErrorOut, **ERRORS},
             summary="Create an e-mail template (Django template syntax over the record)")
def create_template(request, payload: TemplateIn):
    access.require_admin(request.auth)
    data = payload.model_dump(exclude_unset=True)
    return idempotent_create(request, lambda: services.save_template(data),
                             response_json(TemplateOut))


@router.get("/email-templates/{int:template_id}",
            response={200: TemplateOut, 404: ErrorOut, **ERRORS}, summary="An e-mail template")
def get_template(request, template_id: int):
    access.require_admin(request.auth)
    return get_object_or_404(EmailTemplate, pk=template_id)


@router.patch("/email-templates/{int:template_id}",
              response={200: TemplateOut, 404: ErrorOut, 422: ErrorOut, **ERRORS},
              summary="Change an e-mail template")
def patch_template(request, template_id: int, payload: TemplatePatch):
    access.require_admin(request.auth)
    template = get_object_or_404(EmailTemplate, pk=template_id)
    return services.save_template(payload.model_dump(exclude_unset=True), template)


@router.delete("/email-templates/{int:template_id}",
               response={204: None, 404: ErrorOut, **ERRORS}, summary="Delete an e-mail template")
def delete_template(request, template_id: int):
    access.require_admin(request.auth)
    get_object_or_404(EmailTemplate, pk=template_id).delete()
    return HttpResponse(status=204)
