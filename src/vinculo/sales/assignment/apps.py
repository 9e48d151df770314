from django.apps import AppConfig


class AssignmentConfig(AppConfig):
    name = "vinculo.sales.assignment"
    label = "assignment"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
