"""Pages of the service module."""

urlpatterns: list = []
