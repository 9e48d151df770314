"""Background work of imports and exports: load the job by id, call the service."""

from django.tasks import task

from . import services


@task()
def run_import(job_id: int) -> None:
    services.import_run(job_id)


@task()
def run_export(job_id: int) -> None:
    services.export_run(job_id)
