from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "vinculo.marketing.emails"
    label = "emails"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
