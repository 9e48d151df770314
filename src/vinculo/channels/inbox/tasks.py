"""Background work of the inbox."""

from django.tasks import task

from . import services


@task()
def prune_webhook_receipts() -> int:
    """Forget webhook nonces past the time a provider could still retry or replay them."""
    return services.prune_receipts()
