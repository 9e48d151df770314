"""Pages of the emails module."""

urlpatterns: list = []
