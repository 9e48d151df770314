from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "vinculo.channels.inbox"
    label = "inbox"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
