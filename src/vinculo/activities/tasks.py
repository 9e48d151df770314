"""Background work of the activities module (thin: the services do the work)."""

from django.tasks import task
from django.utils import timezone

from . import services


@task()
def send_due_reminders() -> int:
    """Email the reminders that are due; the scheduler runs this every minute or so."""
    return services.send_due_reminders(timezone.now())
