"""Pages of the automation module."""

urlpatterns: list = []
