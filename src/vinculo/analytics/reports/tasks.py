"""Background work of reports (thin: the mailing module does the work)."""

from django.tasks import task
from django.utils import timezone

from . import mailing


@task()
def send_scheduled_reports() -> int:
    """E-mail the reports whose period has come; the scheduler runs this every few minutes."""
    return mailing.send_due(timezone.now())
