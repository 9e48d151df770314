from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "vinculo.activities"
    label = "activities"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
