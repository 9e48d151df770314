from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "vinculo.service.knowledge"
    label = "knowledge"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
