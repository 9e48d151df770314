from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vinculo.analytics.reports"
    label = "reports"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
