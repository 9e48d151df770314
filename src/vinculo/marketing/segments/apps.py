from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "vinculo.marketing.segments"
    label = "segments"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
