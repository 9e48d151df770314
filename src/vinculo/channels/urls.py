"""Pages of the channels module."""

urlpatterns: list = []
