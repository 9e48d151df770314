from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "vinculo.service.surveys"
    label = "surveys"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
