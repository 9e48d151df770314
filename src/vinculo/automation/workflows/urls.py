"""Pages of the workflows module."""

urlpatterns: list = []
