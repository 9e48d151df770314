"""Background work of webhooks: send one delivery; send every retry that is due."""

import datetime as dt

from django.tasks import task

from . import services


@task()
def deliver_webhook(delivery_id: int, manual: bool = False, now: str | None = None) -> str:
    """`now` (ISO 8601): the moment the delivery counts as due from (the retry sweep's)."""
    return services.attempt(delivery_id, manual=manual,
                            now=dt.datetime.fromisoformat(now) if now else None)


@task()
def retry_due_webhooks() -> int:
    return services.retry_due()


@task()
def prune_webhook_log() -> int:
    return services.prune()
