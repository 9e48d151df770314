from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "vinculo.marketing.lists"
    label = "lists"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
