from django.apps import AppConfig


class ServiceMailConfig(AppConfig):
    name = "vinculo.service.mail"
    label = "service_mail"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
