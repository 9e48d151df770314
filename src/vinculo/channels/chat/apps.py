from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "vinculo.channels.chat"
    label = "chat"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
