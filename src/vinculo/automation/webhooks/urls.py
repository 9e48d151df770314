"""Pages of the webhooks module."""

urlpatterns: list = []
