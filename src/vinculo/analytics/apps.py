from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "vinculo.analytics"
    label = "analytics"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
