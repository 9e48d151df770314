from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "vinculo.analytics.recommendations"
    label = "recommendations"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
