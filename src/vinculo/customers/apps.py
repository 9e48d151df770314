from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "vinculo.customers"
    label = "customers"

    def ready(self) -> None:
        from . import hooks  # noqa: F401
