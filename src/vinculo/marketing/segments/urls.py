"""Pages of the segments module."""

urlpatterns: list = []
