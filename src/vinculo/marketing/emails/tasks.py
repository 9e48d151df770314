"""Background work of e-mail campaigns (thin: load by id, call the service)."""

from django.tasks import task

from . import services


@task()
def send_campaign_task(campaign_id: int) -> None:
    services.send_campaign(campaign_id)


@task()
def send_due_campaigns() -> None:
    services.send_due()
