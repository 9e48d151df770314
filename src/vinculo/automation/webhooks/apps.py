from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "vinculo.automation.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
