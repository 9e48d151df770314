"""Background work of the automation module."""

from django.tasks import task

from . import schedules


@task()
def prune_scheduled_runs() -> int:
    return schedules.prune()
