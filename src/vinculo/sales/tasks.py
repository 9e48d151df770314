"""Background work of the sales module."""

from django.tasks import task
from django.utils import timezone

from . import services


@task()
def expire_quotes() -> int:
    """Mark draft and sent quotes whose `valid_until` has passed as expired."""
    return services.expire_quotes(timezone.localdate())
