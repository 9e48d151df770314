"""Background work of webhooks: send one delivery; send every retry that is due."""

from django.tasks import task

from . import services


@task()
def deliver_webhook(delivery_id: int, manual: bool = False) -> str:
    return services.attempt(delivery_id, manual=manual)


@task()
def retry_due_webhooks() -> int:
    return services.retry_due()
