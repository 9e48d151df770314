from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "vinculo.sales.leads"
    label = "leads"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
