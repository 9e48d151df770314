from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "vinculo.marketing.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
