"""Background work of the loyalty programme (thin: call the service)."""

from django.tasks import task

from . import services


@task()
def expire_points() -> int:
    """Expire the points whose time has come (daily)."""
    return services.expire_due()
