from django.apps import AppConfig


class DavConfig(AppConfig):
    name = "vinculo.channels.dav"
    label = "dav"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
