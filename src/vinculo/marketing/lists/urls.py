"""Pages of the lists module."""

urlpatterns: list = []
