"""Pages of the sales module beyond the generic resource pages."""

urlpatterns: list = []
