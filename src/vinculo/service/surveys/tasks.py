"""Background work of surveys (thin: load by id, call the service)."""

from django.tasks import task

from . import services


@task()
def send_invitations_task(survey_id: int) -> None:
    services.send_queued(survey_id)

