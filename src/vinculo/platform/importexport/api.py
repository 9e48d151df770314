"""REST endpoints of imports and exports: asynchronous jobs with status and progress.

POST /imports (multipart: file, entity, format?, dedupe?) → 201 job; GET /imports/{id}.
POST /exports (entity, format, filter?, ids?) → 201 job; GET /exports/{id} (with
`download_url` once done); GET /exports/{id}/download. Jobs are visible to their owner only.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from vinculo.platform.crud import (
    ErrorOut,
    PageParams,
    collection,
    page_schema,
    parse_filter_param,
)
from vinculo.platform.models import ExportJob, ImportJob, JobStatus

from . import services
from .schemas import ExportIn, ExportOut, ImportOut

router = Router(tags=["imports and exports"])


def _progress(job: ImportJob | ExportJob) -> dict:
    total = job.total_rows
    if job.status == JobStatus.DONE:
        percent = 100
    else:
        percent = min(99, int(job.rows_done * 100 / total)) if total else 0
    return {"done": job.rows_done, "total": total, "percent": percent}


def import_out(job: ImportJob, errors_offset: int = 0, errors_limit: int = 100) -> dict:
    errors = job.errors or []
    return {
        "id": job.pk, "entity": job.entity, "format": job.format, "dedupe": job.dedupe,
        "file_name": job.original_name, "status": job.status, "progress": _progress(job),
        "created": job.created, "updated": job.updated, "skipped": job.skipped,
        "error_count": job.error_count,
        "errors": errors[errors_offset : errors_offset + errors_limit],
        "errors_truncated": job.error_count > len(errors) or
        errors_offset + errors_limit < len(errors),
        "unknown_columns": job.unknown_columns or [], "notes": job.notes or [],
        "message": job.message, "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def export_out(request: HttpRequest, job: ExportJob) -> dict:
    url = None
    if job.status == JobStatus.DONE and job.file:
        url = request.build_absolute_uri(reverse("api:export_download", args=[job.pk]))
    return {
        "id": job.pk, "entity": job.entity, "format": job.format, "filter": job.filter or {},
        "status": job.status, "progress": _progress(job), "download_url": url,
        "message": job.message, "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


@router.post("/imports", response={201: ImportOut, 422: ErrorOut},
             summary="Upload a file and import it in the background")
def create_import(request, file: File[UploadedFile], entity: Form[str],
                  format: Form[str | None] = None, dedupe: Form[str | None] = None):
    job = services.import_start(user=request.auth, upload=file, entity=entity.strip(),
                                fmt=format, dedupe=(dedupe or "").strip())
    job.refresh_from_db()
    return Status(201, import_out(job))


@router.get("/imports", response={200: page_schema(ImportOut), 422: ErrorOut},
            summary="Your imports, newest first", exclude_unset=True)
def list_imports(request, params: Query[PageParams]):
    page = collection(ImportJob.objects.filter(owner=request.auth), params, ["-id"])
    page["items"] = [import_out(job, errors_limit=0) for job in page["items"]]
    return page


@router.get("/imports/{int:job_id}", response={200: ImportOut, 404: ErrorOut},
            summary="An import's status, progress, counts and refused rows")
def get_import(request, job_id: int, errors_offset: int = Query(0, ge=0),
               errors_limit: int = Query(100, ge=0, le=1000)):
    job = services.import_job_for(request.auth, job_id)
    return import_out(job, errors_offset, errors_limit)


@router.post("/exports", response={201: ExportOut, 422: ErrorOut},
             summary="Export records in the background")
def create_export(request, payload: ExportIn):
    node = payload.filter
    if isinstance(node, str):
        node = parse_filter_param(node)
    job = services.export_start(user=request.auth, entity=payload.entity.strip(),
                                fmt=payload.format.strip().lower(), node=node, ids=payload.ids)
    job.refresh_from_db()
    return Status(201, export_out(request, job))


@router.get("/exports", response={200: page_schema(ExportOut), 422: ErrorOut},
            summary="Your exports, newest first", exclude_unset=True)
def list_exports(request, params: Query[PageParams]):
    page = collection(ExportJob.objects.filter(owner=request.auth), params, ["-id"])
    page["items"] = [export_out(request, job) for job in page["items"]]
    return page


@router.get("/exports/{int:job_id}", response={200: ExportOut, 404: ErrorOut},
            summary="An export's status, progress and download URL")
def get_export(request, job_id: int):
    return export_out(request, services.export_job_for(request.auth, job_id))


@router.get("/exports/{int:job_id}/download", url_name="export_download",
            response={200: None, 404: ErrorOut}, summary="Download a finished export")
def download_export(request, job_id: int):
    job = services.export_job_for(request.auth, job_id)
    handle, name, content_type = services.export_file(job)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
