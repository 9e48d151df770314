from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "vinculo.platform"
    label = "platform"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
