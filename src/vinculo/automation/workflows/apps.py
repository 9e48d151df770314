from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "vinculo.automation.workflows"
    label = "workflows"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
