from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "vinculo.service"
    label = "service"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
