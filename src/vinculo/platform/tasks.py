"""Background work of the platform: thin tasks that load by id and call the mechanism."""

from django.tasks import task

from . import events


@task()
def dispatch_events(payload: list[dict]) -> None:
    events.dispatch(payload)
