from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "vinculo.service.portal"
    label = "portal"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
