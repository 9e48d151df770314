"""Background work of e-mail to case."""

from django.tasks import task

from . import services


@task()
def fetch_mail() -> int:
    """Poll every active mailbox whose turn has come; returns the messages read."""
    return sum(result.seen for result in services.fetch_due())
