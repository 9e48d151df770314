from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "vinculo.automation"
    label = "automation"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
