"""Background work of CardDAV/CalDAV (thin: call the service)."""

from django.tasks import task

from . import invitations


@task()
def send_invitation_task(activity_id: int, method: str, people: list[str]) -> None:
    invitations.send(activity_id, method, people)
