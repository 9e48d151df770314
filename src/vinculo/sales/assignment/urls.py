"""Pages of the assignment module beyond the generic resource pages."""

urlpatterns: list = []
