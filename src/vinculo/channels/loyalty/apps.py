from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "vinculo.channels.loyalty"
    label = "loyalty"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
