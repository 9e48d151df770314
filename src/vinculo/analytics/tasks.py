"""Background work of the analytics module."""

from django.tasks import task

from . import services


@task()
def nightly_fit() -> str:
    """Refit the customer-base models on the orders up to today and rescore every contact."""
    return services.fit().message
