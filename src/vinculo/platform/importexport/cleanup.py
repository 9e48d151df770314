"""Export files are kept for a day: a recurring job removes older ones from the storage.

A finished export's job stays listed (with its figures); once its file is gone, downloading it
answers 404 and the job's message says the file was removed. Files under `exports/` that no
job names any more (a job deleted with its user) are removed by age as well.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.automation import schedules
from vinculo.platform.models import ExportJob

logger = logging.getLogger(__name__)

KEEP_EXPORTS = dt.timedelta(days=1)
EXPORTS_DIR = "exports"
REMOVED = gettext_noop("The file was removed: exports are kept for a day. Export again.")


def prune_exports(now: dt.datetime | None = None) -> int:
    """Remove export files older than a day; returns how many files went."""
    cutoff = (now or timezone.now()) - KEEP_EXPORTS
    removed = 0
    old = ExportJob.objects.exclude(file="").filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff))
    for job_id, name, language in old.values_list("pk", "file", "owner__language").iterator(
            chunk_size=500):
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Export file %s of job %s could not be removed", name, job_id)
            continue
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _(REMOVED)
        ExportJob.objects.filter(pk=job_id, file=name).update(file="", message=message)
        removed += 1
    return removed + _prune_stray_files(cutoff)


def _prune_stray_files(cutoff: dt.datetime) -> int:
    """Files under exports/ older than the cutoff that no job names."""
    removed = 0
    for name in _walk(EXPORTS_DIR):
        try:
            if default_storage.get_modified_time(name) >= cutoff:
                continue
        except (OSError, NotImplementedError):
            continue
        if ExportJob.objects.filter(file=name).exists():
            continue
        try:
            default_storage.delete(name)
        except OSError:
            continue
        removed += 1
    return removed


def _walk(directory: str):
    try:
        folders, files = default_storage.listdir(directory)
    except (OSError, NotImplementedError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for folder in folders:
        yield from _walk(f"{directory}/{folder}")


@task()
def prune_export_files() -> int:
    return prune_exports()


schedules.every("importexport.prune_exports", dt.timedelta(hours=1), prune_export_files)
