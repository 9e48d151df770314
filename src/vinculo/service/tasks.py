"""Background work of the service module."""

from django.tasks import task

from . import services


@task()
def escalate_cases() -> int:
    """Warn before and escalate on SLA breaches (once each)."""
    return services.escalate_due()
