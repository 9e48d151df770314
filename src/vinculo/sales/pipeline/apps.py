from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "vinculo.sales.pipeline"
    label = "pipeline"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
