from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "vinculo.web"
    label = "web"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
