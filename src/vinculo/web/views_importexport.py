"""Pages of imports and exports: upload a file, watch its import; start an export, download it.

Progress is a fragment the page polls with htmx while the job is queued or running.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from vinculo.platform import registry
from vinculo.platform.filters import FilterError
from vinculo.platform.importexport import services
from vinculo.platform.importexport.forms import ExportForm, ImportForm
from vinculo.platform.models import ExportJob, ImportJob, JobStatus

from .base import is_htmx_target, page

RECENT = 10
SHOWN_ERRORS = 200


def _add_errors(form, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


@page
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user,
                      initial={"entity": request.GET.get("entity", "contacts")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = services.import_start(user=request.user, upload=data["file"],
                                        entity=data["entity"], fmt=data["format"] or None,
                                        dedupe=data["dedupe"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect(f"/imports/{job.pk}/")
    recent = ImportJob.objects.filter(owner=request.user).order_by("-id")[:RECENT]
    return render(request, "web/importexport/import_new.html", {"form": form,
                                                                 "recent": recent})


def _label(entity: str) -> str:
    found = registry.maybe(entity)
    return str(found.label_plural or entity) if found else entity


def _percent(job: ImportJob | ExportJob) -> int:
    if job.status == JobStatus.DONE:
        return 100
    return min(99, int(job.rows_done * 100 / job.total_rows)) if job.total_rows else 0


@page
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = services.import_job_for(request.user, job_id)
    context = {"job": job, "percent": _percent(job), "errors": (job.errors or [])[:SHOWN_ERRORS],
               "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
               "entity_label": _label(job.entity)}
    template = "web/importexport/import_detail.html"
    if is_htmx_target(request, "job-status"):
        template += "#status"
    return render(request, template, context)


@page
def export_new(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST (from this form or a list's bulk bar): start and follow the job."""
    data = request.POST if request.method == "POST" else None
    form = ExportForm(data, user=request.user,
                      initial={"entity": request.GET.get("entity", "contacts"),
                               "format": "csv", "filter": request.GET.get("filter", "")})
    if data is not None and form.is_valid():
        try:
            ids = services.ids_from(request.POST.getlist("ids"))
            job = services.export_start(user=request.user, entity=form.cleaned_data["entity"],
                                        fmt=form.cleaned_data["format"],
                                        node=form.cleaned_data["filter"], ids=ids)
        except ValidationError as exc:
            _add_errors(form, exc)
        except FilterError as exc:
            form.add_error("filter", exc.message)
        else:
            return redirect(f"/exports/{job.pk}/")
    recent = ExportJob.objects.filter(owner=request.user).order_by("-id")[:RECENT]
    return render(request, "web/importexport/export_new.html", {"form": form,
                                                                 "recent": recent})


@page
def export_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = services.export_job_for(request.user, job_id)
    context = {"job": job, "percent": _percent(job),
               "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
               "entity_label": _label(job.entity)}
    template = "web/importexport/export_detail.html"
    if is_htmx_target(request, "job-status"):
        template += "#status"
    return render(request, template, context)


@page
def export_download(request: HttpRequest, job_id: int) -> FileResponse:
    handle, name, content_type = services.export_file(
        services.export_job_for(request.user, job_id))
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
