"""Pages of the leads module beyond the generic resource pages."""

urlpatterns: list = []
