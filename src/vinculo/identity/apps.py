from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "vinculo.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
