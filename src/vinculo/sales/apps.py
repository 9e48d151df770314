from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "vinculo.sales"
    label = "sales"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
