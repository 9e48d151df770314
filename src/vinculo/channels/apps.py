from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "vinculo.channels"
    label = "channels"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
