"""Pages of the campaigns module."""

urlpatterns: list = []
