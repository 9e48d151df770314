"""Background work of the leads module (thin: the services do the work)."""

from django.tasks import task

from . import scoring


@task()
def rescore_leads() -> int:
    """Recompute every lead's score after the scoring rules changed."""
    return scoring.rescore_all()
