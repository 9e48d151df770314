"""What the webhooks module registers with the platform: the record-event subscriber (in
services) and the schedule that sends retries when they are due."""

import datetime as dt

from vinculo.automation import schedules

from . import services, tasks  # noqa: F401  (services subscribes to record events)

schedules.every("webhooks.retry_due", dt.timedelta(seconds=30), tasks.retry_due_webhooks)
schedules.every("webhooks.prune_log", dt.timedelta(days=1), tasks.prune_webhook_log)
