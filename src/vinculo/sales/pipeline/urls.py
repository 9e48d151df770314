"""Pages of the pipeline module beyond the generic resource pages."""

urlpatterns: list = []
