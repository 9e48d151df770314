"""Import and export jobs: start one (validate, store the file, queue the task), run one (in
the worker), and find one for its owner. Files go through Django's storage API."""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.platform import filters
from vinculo.platform.models import ExportJob, ImportJob, JobStatus

from . import exporting, readers
from .importing import Importer, ImportRefused, Report

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = getattr(settings, "VINCULO_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
SNIFF_BYTES = 8192


def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", (name or "file").rsplit("/", 1)[-1]).strip(".-")
    return base[-100:] or "file"


def _language(user: Any) -> str:
    return getattr(user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE


# ---------------------------------------------------------------------------- imports


def import_check(*, user: Any, entity: str, fmt: str | None, file_name: str, size: int,
                 head: bytes, dedupe: str = "") -> str:
    """Validate an upload before storing it; returns the format. Raises ValidationError
    naming the field at fault."""
    try:
        Importer(entity, actor=user, dedupe=dedupe)
    except ImportRefused as exc:
        raise ValidationError({exc.field: [str(exc)]}) from None
    fmt = (fmt or "").strip().lower() or readers.format_for(file_name)
    if fmt is None:
        raise ValidationError({"format": [_("Say which format the file is in (csv, xlsx, json, "
                                            "jsonl or vcf), or give it that extension.")]})
    if fmt not in readers.FORMATS:
        raise ValidationError({"format": [_("Unknown format '%(format)s': use csv, xlsx, json, "
                                            "jsonl or vcf.") % {"format": fmt}]})
    if fmt == "vcf" and entity != "contacts":
        raise ValidationError({"format": [_("vCard files hold contacts only.")]})
    named = readers.format_for(file_name)
    if named is not None and named != fmt and {named, fmt} != {"json", "jsonl"}:
        raise ValidationError({"file": [_("The file name says %(named)s but the format is "
                                          "%(format)s.") % {"named": named, "format": fmt}]})
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(mb)d MB.")
                                        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}]})
    try:
        readers.check_content(fmt, head)
    except readers.FileError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    return fmt


def import_start(*, user: Any, upload: Any, entity: str, fmt: str | None = None,
                 dedupe: str = "") -> ImportJob:
    """Store the uploaded file and queue its import. `upload` is a Django UploadedFile."""
    from .tasks import run_import

    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    fmt = import_check(user=user, entity=entity, fmt=fmt, file_name=upload.name,
                       size=upload.size, head=head, dedupe=dedupe or "")
    name = default_storage.save(
        f"imports/{user.pk}/{uuid.uuid4().hex}/{_safe_name(upload.name)}", upload)
    job = ImportJob.objects.create(owner=user, entity=entity, format=fmt, dedupe=dedupe or "",
                                   file=name, original_name=(upload.name or "")[:255])
    run_import.enqueue(job.pk)
    return job


def _claim(model: type, job_id: int) -> bool:
    """Mark a queued job running; False when another run has it (a retried task)."""
    return bool(model.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()))


def _save_progress(job: ImportJob, report: Report) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        total_rows=report.total, rows_done=report.done, created=report.created,
        updated=report.updated, skipped=report.skipped, error_count=report.error_count,
        errors=report.errors, unknown_columns=report.unknown_columns,
        notes=report.notes + ([_("Columns ignored (they are set by Vínculo): %(columns)s.")
                               % {"columns": ", ".join(report.ignored_columns)}]
                              if report.ignored_columns else []))


def import_run(job_id: int) -> None:
    """Run a queued import (in the worker); the job records progress, the report or why it
    failed. Rows already imported stay when a later part of the file fails."""
    if not _claim(ImportJob, job_id):
        return
    job = ImportJob.objects.select_related("owner", "owner__role").get(pk=job_id)
    with translation.override(_language(job.owner)):
        status, message = JobStatus.DONE, ""
        try:
            reader = readers.reader_for(job.format, lambda: default_storage.open(job.file, "rb"))
            importer = Importer(job.entity, actor=job.owner, dedupe=job.dedupe,
                                on_progress=lambda report: _save_progress(job, report))
            importer.run(reader)
        except (readers.FileError, ImportRefused) as exc:
            status, message = JobStatus.FAILED, str(exc)
        except Exception:
            logger.exception("Import %s failed", job_id)
            status, message = JobStatus.FAILED, _(
                "The import stopped because of an unexpected error. The rows before it were "
                "imported; the error was logged for the administrator.")
        finally:
            ImportJob.objects.filter(pk=job_id).update(status=status, message=message,
                                                       finished_at=timezone.now())
            default_storage.delete(job.file)


def import_file(*, user: Any, entity: str, path: str, fmt: str | None = None,
                dedupe: str = "", on_progress: Any = None) -> Report:
    """Import a local file synchronously (the `vinculo import` command)."""
    fmt = (fmt or "").lower() or readers.format_for(path)
    if fmt is None:
        raise readers.FileError(_("Say which format the file is in with --format."))
    if fmt not in readers.FORMATS:
        raise readers.FileError(_("Unknown format '%(format)s': use csv, xlsx, json, jsonl or "
                                  "vcf.") % {"format": fmt})
    with open(path, "rb") as handle:
        readers.check_content(fmt, handle.read(SNIFF_BYTES))
    importer = Importer(entity, actor=user, dedupe=dedupe, on_progress=on_progress)
    return importer.run(readers.reader_for(fmt, lambda: open(path, "rb")))


def import_job_for(user: Any, job_id: int) -> ImportJob:
    """The job, for its owner only (anyone else gets a 404)."""
    job = ImportJob.objects.filter(pk=job_id, owner=user).first()
    if job is None:
        raise Http404
    return job


# ---------------------------------------------------------------------------- exports


def export_check(*, user: Any, entity: str, fmt: str, node: Any, ids: Any) -> None:
    try:
        exporting.check_request(entity, fmt)
    except exporting.ExportRefused as exc:
        raise ValidationError({exc.field: [str(exc)]}) from None
    if ids is not None and (not isinstance(ids, list) or len(ids) > exporting.MAX_IDS or
                            not all(isinstance(i, int) and not isinstance(i, bool)
                                    for i in ids)):
        raise ValidationError({"ids": [_("Give a list of at most %(n)d record ids.")
                                       % {"n": exporting.MAX_IDS}]})
    filters.compile_filter(entity, node, user=user)


def export_start(*, user: Any, entity: str, fmt: str, node: Any = None,
                 ids: list[int] | None = None) -> ExportJob:
    """Validate and queue an export; FilterError or ValidationError for a bad request."""
    from .tasks import run_export

    export_check(user=user, entity=entity, fmt=fmt, node=node, ids=ids)
    job = ExportJob.objects.create(owner=user, entity=entity, format=fmt, filter=node or {},
                                   ids=ids or [])
    run_export.enqueue(job.pk)
    return job


def export_run(job_id: int) -> None:
    if not _claim(ExportJob, job_id):
        return
    job = ExportJob.objects.select_related("owner", "owner__role").get(pk=job_id)

    def progress(done: int, total: int | None) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows_done=done, total_rows=total)

    with translation.override(_language(job.owner)):
        status, message, name = JobStatus.DONE, "", ""
        try:
            ids = job.ids if job.ids else None
            with tempfile.TemporaryFile() as out:
                exporting.export(job.owner, job.entity, job.format, out, node=job.filter or None,
                                 ids=ids, on_progress=progress)
                out.seek(0)
                name = default_storage.save(
                    f"exports/{job.owner_id}/{uuid.uuid4().hex}/"
                    f"{exporting.file_name(job.entity, job.format)}", File(out))
        except (exporting.ExportRefused, filters.FilterError) as exc:
            status, message = JobStatus.FAILED, str(exc)
        except Exception:
            logger.exception("Export %s failed", job_id)
            status, message = JobStatus.FAILED, _("The export stopped because of an unexpected "
                                                  "error; it was logged for the administrator.")
        ExportJob.objects.filter(pk=job_id).update(status=status, message=message, file=name,
                                                   finished_at=timezone.now())


def export_job_for(user: Any, job_id: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=job_id, owner=user).first()
    if job is None:
        raise Http404
    return job


def export_file(job: ExportJob) -> tuple[IO[bytes], str, str]:
    """(open file, download name, content type) of a finished export."""
    if job.status != JobStatus.DONE or not job.file or not default_storage.exists(job.file):
        raise Http404
    return (default_storage.open(job.file, "rb"), job.file.rsplit("/", 1)[-1],
            exporting.CONTENT_TYPES[job.format])


def ids_from(values: Any) -> list[int] | None:
    """Record ids from form or query values (strings); None when none were given."""
    if not values:
        return None
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise ValidationError({"ids": [_("Record ids are whole numbers.")]}) from None
